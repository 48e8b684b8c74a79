/**
 * The part of sax 1.6 (a CommonJS package without bundled types) that the OPML reader uses.
 * Declared here instead of adding @types/sax for six members.
 */
declare module 'sax' {
  export interface Tag {
    name: string;
    attributes: Record<string, string>;
    isSelfClosing: boolean;
  }

  export interface SAXOptions {
    trim?: boolean;
    normalize?: boolean;
    lowercase?: boolean;
    xmlns?: false;
    position?: boolean;
    strictEntities?: boolean;
  }

  export interface SAXParser {
    line: number;
    column: number;
    onopentagstart: (tag: { name: string }) => void;
    onopentag: (tag: Tag) => void;
    onclosetag: (name: string) => void;
    ontext: (text: string) => void;
    oncdata: (text: string) => void;
    ondoctype: (doctype: string) => void;
    onerror: (error: Error) => void;
    write(chunk: string): SAXParser;
    close(): SAXParser;
  }

  const sax: { parser(strict: boolean, options?: SAXOptions): SAXParser };
  export default sax;
}
