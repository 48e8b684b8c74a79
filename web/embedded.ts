/// <reference path="./asset-imports.d.ts" />
// The page's files for the query Lambda's bundle: esbuild inlines these imports, so the function
// reads no files. Only shared/query/static-assets.ts imports this, and only in Lambda (Node
// itself cannot import HTML or CSS; elsewhere the files are read from disk). Bytes rather than
// text: esbuild writes them as one base64 line each, where minified text would become template
// literals spread over thousands of lines.
import indexHtml from './index.html' with { type: 'bytes' };
import appJs from './app.js' with { type: 'bytes' };
import styleCss from './style.css' with { type: 'bytes' };
import iconSvg from './icon.svg' with { type: 'bytes' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const EMBEDDED_WEB_FILES: Readonly<Record<string, string>> = {
  'index.html': utf8.decode(indexHtml),
  'app.js': utf8.decode(appJs),
  'style.css': utf8.decode(styleCss),
  'icon.svg': utf8.decode(iconSvg),
};
