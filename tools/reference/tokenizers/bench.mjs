// Encoding throughput of the official @huggingface/tokenizers (JS) on the benchmark text, to compare with
// benchmarks/Hearth.Benchmarks/TokenizerBenchmarks.cs (same text, same tokenizer.json, one thread).
// Run: tools/reference/tokenizers/make_bench_text.sh && (cd tools/reference/tokenizers && node bench.mjs llama3_1 qwen3)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const textPath = process.env.HEARTH_BENCH_TEXT ?? join(root, "artifacts", "bench", "kjv.txt");
const text = readFileSync(textPath, "utf8");
const megabytes = Buffer.byteLength(text, "utf8") / 1e6;
const runs = Number(process.env.BENCH_RUNS ?? 7);
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["llama3_1", "qwen3"];

for (const name of names) {
  const dir = join(root, "tests", "data", "external", name);
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")),
    JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")));
  const count = tokenizer.encode(text, { add_special_tokens: false }).ids.length; // warm-up (caches, JIT)
  const seconds = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    tokenizer.encode(text, { add_special_tokens: false });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  seconds.sort((a, b) => a - b);
  const median = seconds[Math.floor(seconds.length / 2)];
  console.log(`${name}: ${megabytes.toFixed(2)} MB -> ${count} tokens; median ${median.toFixed(3)} s over ${runs} runs = ${(megabytes / median).toFixed(2)} MB/s (min ${(megabytes / seconds[0]).toFixed(2)}, max ${(megabytes / seconds[seconds.length - 1]).toFixed(2)})`);
}
