// Prints each failed test of the TRX files in a folder (name, message, the top of its stack trace), so a CI log that
// ends in "N failed" also says what failed and why. Usage: node tools/print-test-failures.js TestResults
'use strict';
const fs = require('fs');
const path = require('path');

const folder = process.argv[2] || 'TestResults';
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
let count = 0;
for (const file of fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.trx')).sort() : []) {
  const xml = fs.readFileSync(path.join(folder, file), 'utf8');
  for (const match of xml.matchAll(/<UnitTestResult\b([^>]*[^/>])>([\s\S]*?)<\/UnitTestResult>/g)) {
    const attributes = match[1];
    if (!/\boutcome="(Failed|Error)"/.test(attributes)) continue;
    const name = unescape((attributes.match(/\btestName="([^"]*)"/) || [, '?'])[1]);
    const message = unescape((match[2].match(/<Message>([\s\S]*?)<\/Message>/) || [, ''])[1]).trim();
    const stack = unescape((match[2].match(/<StackTrace>([\s\S]*?)<\/StackTrace>/) || [, ''])[1]).trim();
    count++;
    console.log(`FAILED ${name} (${file})`);
    for (const line of message.split('\n').slice(0, 20)) console.log(`  ${line}`);
    for (const line of stack.split('\n').slice(0, 8)) console.log(`    ${line.trim()}`);
  }
}
if (count > 0) console.log(`${count} failed test(s) listed above`);
