// Reads a GGUF file with @huggingface/gguf (an implementation Hearth did not write) and prints
// {"metadata": {key: {"type": GGUF value type id, "value": ...}}, "tensors": [{name, shape (ne, innermost
// first, as the file stores it), dtype (GGML type id), offset}], "tensor_data_offset": n} as JSON.
// Big integers are printed as strings; long arrays are summarised as {length, first, last} to keep the
// output small (the test compares those). Usage: node check.mjs FILE.gguf
import { gguf } from "@huggingface/gguf";

const file = process.argv[2];
if (!file) {
  console.error("usage: node check.mjs FILE.gguf");
  process.exit(2);
}

const { metadata, tensorInfos, typedMetadata, tensorDataOffset } = await gguf(file, { allowLocalFile: true, typedMetadata: true });

const plain = (v) => (typeof v === "bigint" ? v.toString() : v);
const summarise = (v) => {
  if (!Array.isArray(v)) return plain(v);
  return { length: v.length, first: v.slice(0, 3).map(plain), last: v.slice(-3).map(plain) };
};

const out = { metadata: {}, tensors: [], tensor_data_offset: plain(tensorDataOffset) };
for (const key of Object.keys(metadata)) {
  if (key === "version" || key === "tensor_count" || key === "kv_count") continue;
  const typed = typedMetadata[key];
  out.metadata[key] = { type: typed?.type ?? null, subType: typed?.subType ?? null, value: summarise(metadata[key]) };
}
out.version = plain(metadata.version);
out.tensor_count = plain(metadata.tensor_count);
out.kv_count = plain(metadata.kv_count);
for (const t of tensorInfos) {
  out.tensors.push({ name: t.name, shape: t.shape.map(plain), dtype: t.dtype, offset: plain(t.offset) });
}
console.log(JSON.stringify(out));
