// xml2js requires xmlbuilder for its Builder (XML writing), which fundwatch never uses; rss-parser
// only parses. Bundled in its place so the poll function does not carry 70 KB of dead code.
'use strict';
module.exports = {};
