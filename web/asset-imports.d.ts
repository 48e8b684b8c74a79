// The page's files imported as bytes (esbuild's `with { type: 'bytes' }`), only by web/embedded.ts.
declare module '*.html' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.css' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.svg' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*/app.js' {
  const bytes: Uint8Array;
  export default bytes;
}
