// Writes the golden files under tests/data/tokenizers/ from the official Hugging Face JS tokenizers and
// Jinja, for the real tokenizer files that tools/fetch-test-data.sh extracts under tests/data/external/.
// Run: (from the repository root) tools/fetch-test-data.sh && (cd tools/reference/tokenizers && npm ci && node make_goldens.mjs)
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { corpus } from "./corpus.mjs";
import { conversations } from "./conversations.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const external = join(root, "tests", "data", "external");
const outDir = join(root, "tests", "data", "tokenizers");
const versionOf = (pkg) => JSON.parse(readFileSync(join(here, "node_modules", ...pkg.split("/"), "package.json"), "utf8")).version;
const generator = {
  script: "tools/reference/tokenizers/make_goldens.mjs",
  "@huggingface/tokenizers": versionOf("@huggingface/tokenizers"),
  "@huggingface/jinja": versionOf("@huggingface/jinja"),
};
const names = ["llama2", "llama3_1", "llama3_2", "qwen3", "gemma3", "gpt4o", "deepseek_v3"];

// Renders every conversation (with and without add_generation_prompt) and writes <name>.chat.json. defaults are
// template variables every render gets (a conversation's own vars win); the golden records the variables used.
function writeChatGolden(name, sourceText, source, bosToken, eosToken, defaults) {
  const compiled = new Template(sourceText);
  const renders = [];
  for (const conv of conversations) {
    for (const addGenerationPrompt of [false, true]) {
      const variables = { ...defaults, ...(conv.vars ?? {}) };
      const vars = { ...variables, messages: conv.messages, add_generation_prompt: addGenerationPrompt, bos_token: bosToken ?? "", eos_token: eosToken ?? "" };
      if (conv.tools) vars.tools = conv.tools;
      let rendered = null, error = null;
      try { rendered = compiled.render(vars); } catch (e) { error = String(e.message ?? e); }
      renders.push({ conversation: conv.name, add_generation_prompt: addGenerationPrompt, variables, rendered, error });
    }
  }
  writeFileSync(join(outDir, `${name}.chat.json`),
    JSON.stringify({ generator, tokenizer: source, bos_token: bosToken, eos_token: eosToken, conversations, renders }, null, 1) + "\n");
  console.log(`${name}: ${renders.length} renders, ${renders.filter((r) => r.error).length} template errors`);
}

// transformers' LlamaTokenizerFast and GemmaTokenizerFast rebuild the post-processor from add_bos_token /
// add_eos_token (update_post_processor), so DeepSeek V3's file (ByteLevel post-processor, add_bos_token true) gets
// its BOS in Python; the JS Tokenizer ignores those flags. Do what transformers does, before the JS sees the file.
function applyTransformersPostProcessor(tokenizerJson, config) {
  if (!/^(Llama|Gemma)Tokenizer(Fast)?$/.test(config.tokenizer_class ?? "")) return;
  if (config.add_bos_token === undefined && config.add_eos_token === undefined) return;
  const idOf = (token) => tokenizerJson.added_tokens.find((t) => t.content === token)?.id ?? tokenizerJson.model.vocab[token];
  const bos = tokenString(config.bos_token), eos = tokenString(config.eos_token);
  const single = [], special_tokens = {};
  const add = (token) => {
    single.push({ SpecialToken: { id: token, type_id: 0 } });
    special_tokens[token] = { id: token, ids: [idOf(token)], tokens: [token] };
  };
  if ((config.add_bos_token ?? true) && bos != null) add(bos);
  single.push({ Sequence: { id: "A", type_id: 0 } });
  if ((config.add_eos_token ?? false) && eos != null) add(eos);
  tokenizerJson.post_processor = { type: "TemplateProcessing", single, pair: single, special_tokens };
}

const tokenString = (t) => (t == null ? null : typeof t === "string" ? t : t.content);

for (const name of names) {
  const dir = join(external, name);
  if (!existsSync(join(dir, "tokenizer.json"))) throw new Error(`missing ${dir}/tokenizer.json: run tools/fetch-test-data.sh`);
  const tokenizerJson = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
  const source = JSON.parse(readFileSync(join(dir, "source.json"), "utf8"));
  applyTransformersPostProcessor(tokenizerJson, config);
  const tokenizer = new Tokenizer(tokenizerJson, config);
  const cases = corpus.map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: true }).ids;
    const idsNoSpecial = tokenizer.encode(text, { add_special_tokens: false }).ids;
    // The JS decode refuses an empty list; HF's Python decode of [] is "".
    const decode = (opts) => (ids.length === 0 ? "" : tokenizer.decode(ids, opts));
    return { text, ids, ids_no_special: idsNoSpecial, decoded: decode({}), decoded_skip_special: decode({ skip_special_tokens: true }) };
  });
  writeFileSync(join(outDir, `${name}.encode.json`), JSON.stringify({ generator, tokenizer: source, cases }, null, 1) + "\n");

  const template = config.chat_template;
  if (template) {
    const sourceText = typeof template === "string" ? template : template.find((t) => t.name === "default").template;
    // Meta's tool-capable Llama 3.x template (llama3_2) reads today's date through strftime_now unless date_string is
    // given: fix it so the golden does not depend on the day it was made.
    const defaults = sourceText.includes("date_string") ? { date_string: "26 Jul 2024" } : {};
    writeChatGolden(name, sourceText, source, tokenString(config.bos_token), tokenString(config.eos_token), defaults);
  }
  console.log(`${name}: ${cases.length} cases${template ? ", chat template" : ""}`);
}

// Hearth's own tool-use template (tests/data/tokenizers/templates/tool_use.jinja): the packaged Llama 3.1 template has
// no tool support, so this one covers custom tools, tool calls and ipython results the way Llama 3.1's does.
writeChatGolden("tool_use", readFileSync(join(outDir, "templates", "tool_use.jinja"), "utf8"),
  { template: "tests/data/tokenizers/templates/tool_use.jinja" }, "<|bos|>", "<|eos|>", { date_string: "26 Jul 2024" });
