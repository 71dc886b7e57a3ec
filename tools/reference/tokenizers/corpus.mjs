// The corpus of strings that tend to break tokenizers. Shared by make_goldens.mjs; the C# tests read the
// strings back from the golden files, so this file is the single source.
const base = [
  "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t\tx", "a\tb\tc", "line1\nline2\r\nline3\rline4",
  "Hello", "Hello world", " Hello world", "Hello  world", "Hello   world   ", "hello, world!", "HELLO WORLD",
  "The quick brown fox jumps over the lazy dog.", "I'm don't we'll they've she's it'd you're",
  "I'M DON'T WE'LL THEY'VE", "'s 't 're 've 'm 'll 'd", "O'Neil's dog's bone", "rock 'n' roll",
  "1", "12", "123", "1234", "12345", "123456789012345678901234567890", "3.14159265358979", "-42", "1,000,000", "0x1F 0b1010 1e-9",
  "2024-01-15T12:34:56Z", "$100.00 €50 £30 ¥1000", "100%", "a1b2c3", "version 1.2.3-beta+build.45",
  "日本語のテキストです。", "中文字符测试，你好世界！", "한국어 텍스트", "汉字漢字", "こんにちは、世界", "カタカナ ﾊﾝｶｸ",
  "Привет, мир!", "Ελληνικά γράμματα", "עברית מימין לשמאל", "مرحبا بالعالم", "mixed עברית and English", "हिन्दी पाठ", "தமிழ்", "ไทย ภาษา",
  "😀", "😀😃😄", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👩🏿‍💻 coding", "🇺🇸🇯🇵", "❤️", "emoji at end 🎉", "🎉 emoji at start",
  "𝐀𝐁𝐂 math bold", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛 double-struck digits", "𐍈𐌰𐌹 gothic", "𠀀𠀁 ext-B CJK", "a𝐀b", "x😀y", "𝐀𝐁",
  "e\u0301", "n\u0303o", "Z\u0351\u0352\u0353algo", "a\u0300\u0301\u0302\u0303\u0304", "café", "cafe\u0301", "ﬁ ligature", "Å Å", "\u00a0nbsp\u00a0",
  "zero\u200bwidth", "\ufeffbom", "soft\u00adhyphen", "\u2028line sep\u2029para sep", "tab\u000bvt\u000cff",
  "def f(x):\n    return x * 2\n", "if (a && b) { return c; }", "for i in range(10):\n\tprint(i)",
  "SELECT * FROM users WHERE id = 1;", "<div class=\"x\">text</div>", "{\"key\": [1, 2, {\"n\": null}]}", "a->b => c |> d",
  "    indented four", "        eight spaces", "trailing spaces    ", "\n\n\nthree newlines", "a\n\n\n\nb", "   \n   \n",
  "!!!???...", "---===+++", "@#$%^&*()", "~`|\\/", "\"quoted\" 'single'", "«guillemets» „Anführung“",
  "<s>", "</s>", "<unk>", "<|begin_of_text|>", "<|eot_id|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
  "text <s> inside </s> text", "Hello<|eot_id|>world", "<|im_start|>user\nhi<|im_end|>", " <|im_end|> ", "<|begin_of_text|><|begin_of_text|>",
  "<|start_header_id|>user<|end_header_id|>\n\nHi", "<think>reasoning</think>", "<0x41>", "▁underscore▁like", "Ġ Ċ ĉ",
  "a", "ab", "abc", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab", "Supercalifragilisticexpialidocious",
  "pneumonoultramicroscopicsilicovolcanoconiosis", "http://example.com/path?query=1&x=y#frag", "user@example.com",
  "C:\\Windows\\System32", "/usr/local/bin/", "snake_case_name camelCaseName PascalCase kebab-case",
  "Ünïcödé ÀÉÎÕÜ", "İstanbul ı", "ß ẞ straße", "ǅ ǈ ǋ titlecase", "ﬀ ﬃ", "①②③ ⅫⅣ", "½ ¾ ⅞", "²³ ₁₂",
  "\u0000null", "\u0001\u0002\u001f ctrl", "\u007f del", "\u0085 nel", "\ud7ff\ue000", "\uffff", "\ufffd replacement",
];

// Second batch (issue 3: at least 300 strings; gemma3 and gpt4o special tokens, o200k letter-case classes, planes).
const more = [
  // Unicode planes: SMP (1), SIP (2), TIP (3), SSP tags (14), private use (15, 16), BMP private use.
  "\u{1F600}\u{1F9D1}\u{1FAE0} plane 1", "\u{10000}\u{10080} linear B", "\u{1D11E} musical G clef", "\u{1F0A1} playing card",
  "\u{20000}\u{2A6D6}\u{2B740} plane 2", "\u{2F800} compat ideograph", "\u{30000}\u{3134A} plane 3", "\u{E0001}\u{E0041}\u{E007F} tags",
  "\u{F0000}\u{FFFFD} plane 15", "\u{100000}\u{10FFFD} plane 16", "\uE000\uF8FF bmp private", "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} england",
  // Emoji sequences: ZWJ families, skin tones, keycaps, variation selectors, flags.
  "👩‍❤️‍💋‍👨", "🧑🏽‍🤝‍🧑🏻", "👋🏻👋🏼👋🏽👋🏾👋🏿", "🏃‍♀️‍➡️", "1️⃣ #️⃣ *️⃣", "☺︎ ☺️", "🇩🇪🇫🇷🇬🇧🇨🇳", "🧔🏻‍♂️ and 🧕🏾",
  "👨‍👨‍👧‍👧👩‍👩‍👦", "🫶🏼🫱🏿‍🫲🏻", "text😀text😀text", "🐈‍⬛🐕‍🦺", "⚽️⚾️🏀", "✌🏽✍🏿",
  // Right-to-left, bidi controls, combining marks.
  "שָׁלוֹם עֲלֵיכֶם", "السَّلَامُ عَلَيْكُمْ", "abc \u202Eevil\u202C def", "\u200Fright\u200Eleft", "فارسی ۱۲۳ اردو", "ܐܪܡܝܐ syriac",
  "ދިވެހި thaana", "\u05D0\u05B8\u05D1 1234 \u05D2", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "a\u0308\u0301\u0323", "\u1100\u1161\u11A8 jamo", "각 가 각",
  "e\u0301e\u0301e\u0301", "\u0915\u094D\u0937 क्ष conjunct", "ສະບາຍດີ lao", "မြန်မာ myanmar", "ខ្មែរ khmer", "ትግርኛ ge'ez",
  "Tiếng Việt có dấu", "Ōkami Ūmi ā ī", "Ɛʋe gbe", "ᐃᓄᒃᑎᑐᑦ syllabics", "ᚠᚢᚦᚨᚱᚲ runes", "ⴰⵣⵓⵍ tifinagh",
  // CJK variety.
  "我爱自然语言处理。", "東京都渋谷区１－２－３", "ひらがなカタカナ漢字ＡＢＣ１２３", "全角スペース\u3000あり", "「引用」『二重』【括弧】",
  "한국어와 日本語 and English 混合", "㐀㐁 ext-A", "〇一二三四五六七八九十百千万億", "中文，标点；符号：“引号”！？",
  // Letter case classes (o200k splits on case changes), contractions in every case.
  "HTTPServerError parseJSONString iPhone McDonald's", "camelCaseWordsHere", "ALLCAPS then lower", "XMLHttpRequest",
  "DON'T Won't CAN'T shouldn't've y'all", "Ǆemal ǅemal ǆemal", "ΣΊΣΥΦΟΣ σίσυφος", "ÉCOLE école", "The U.S.A. and U.K.",
  "it's IT'S It'S iT's", "O'REILLY's", "l'homme d'affaires", "don’t curly apostrophe", "x'ss 'S'T",
  // Whitespace runs, tabs, newlines (gemma3 has tokens for long runs).
  " ".repeat(15), " ".repeat(16), " ".repeat(31), " ".repeat(32), " ".repeat(33), "\t".repeat(7), "\n".repeat(12),
  "a" + " ".repeat(40) + "b", "x\t \t \ty", " \n\t \r\n ", "\r\r\r", "end\n", "\n\n\nstart", "word \n word", "tabs\t\tand  spaces \t",
  "\u2003em\u2002en\u2009thin\u200Ahair", "\u3000\u3000ideographic", "\u1680ogham\u180Emongolian",
  // Code.
  "fn main() {\n    println!(\"Hello, {}!\", name);\n}\n", "const f = (a, b) => a ?? b?.c;", "#include <stdio.h>\nint main(void) { return 0; }",
  "public static async Task<int> RunAsync(string[] args) => 0;", "x = [i**2 for i in range(10) if i % 2 == 0]",
  "<?php echo $x; ?>", "git commit -m \"fix: off-by-one\" && git push", "SELECT a.id, COUNT(*) FROM t a GROUP BY 1 HAVING COUNT(*) > 2;",
  "```python\nprint('hi')\n```", "\t\tif (x) {\n\t\t\treturn;\n\t\t}", "// comment\n/* block */", "a==b!=c<=d>=e&&f||g",
  "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", "<html><body><p>Hi &amp; bye</p></body></html>", "$$E=mc^2$$ \\frac{a}{b}",
  // Numbers.
  "3141592653589793238462643383279502884197169399375105820974944", "007 0007 00007", "1.0e+308 -1.7976931348623157e308",
  "+1 (555) 123-4567", "١٢٣٤٥ arabic-indic", "१२३ devanagari", "１２３４ fullwidth", "Ⅰ Ⅱ Ⅲ Ⅳ", "12:30:45.678", "192.168.0.1:8080",
  "9999999999999999999999", "1 2 3 4 5 6 7 8 9 10", "v1.2.3.4.5", "50% off! 3x faster, 2.5x smaller",
  // Special-token text inside user text (every tokenizer's specials).
  "<bos>", "<eos>", "<pad>", "<start_of_turn>user\nhi<end_of_turn>", "<unused0>", "<mask>", "<start_of_image>", "<|endofprompt|>",
  "say <|endoftext|> now", "<|im_start|><|im_end|>", "<|eot_id|><|eot_id|>", "x<|start_header_id|>y", "</s><s>", "<s> <s>  <s>",
  "<tool_call>{\"name\": \"f\"}</tool_call>", "<|python_tag|>print(1)", "<|eom_id|>", "<|reserved_special_token_0|>", "<|finetune_right_pad_id|>",
  "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", "<|vision_start|>", "<think>\n\n</think>\n\n", "< | im_start | >", "<|im_start", "im_end|>",
  "<start_of_turn>", "<end_of_turn>", " <end_of_turn> ", "<image_soft_token>", "[INST] hi [/INST]", "<<SYS>>\nsys\n<</SYS>>",
  // Odd characters.
  "\u0009\u000B\u000C\u000D\u0020", "\u200D\u200C joiners", "\u00AD\u00AD", "\u034F cgj", "\uFE0F alone", "\u0300 leading mark",
  "a\u0000b\u0000c", "\u001B[31mred\u001B[0m", "Ω Ω K K Å", "ﷺ ﷽", "ꙮ multiocular", "∀x∈ℝ: x²≥0", "→ ← ↑ ↓ ⇒", "♠♥♦♣", "™®©℠",
  "\\n literal backslash n", "%s %d %%", "tab\\t", "\"\"\"triple\"\"\"",
];
const generated = [];
for (const w of ["word", "Hello", "日本", "😀", "𝐀", "123"]) {
  generated.push(" " + w, w + " ", "  " + w + "  ", "\n" + w, w + "\n", "\t" + w);
}
for (let n = 1; n <= 8; n++) generated.push(" ".repeat(n) + "x", "x" + " ".repeat(n) + "y");
generated.push("long ".repeat(60), "The " + "very ".repeat(30) + "end.", "🙂".repeat(20), "漢".repeat(25), "1234567890".repeat(5));
export const corpus = [...base, ...more, ...generated];
