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
const generated = [];
for (const w of ["word", "Hello", "日本", "😀", "𝐀", "123"]) {
  generated.push(" " + w, w + " ", "  " + w + "  ", "\n" + w, w + "\n", "\t" + w);
}
for (let n = 1; n <= 8; n++) generated.push(" ".repeat(n) + "x", "x" + " ".repeat(n) + "y");
generated.push("long ".repeat(60), "The " + "very ".repeat(30) + "end.", "🙂".repeat(20), "漢".repeat(25), "1234567890".repeat(5));
export const corpus = [...base, ...generated];
