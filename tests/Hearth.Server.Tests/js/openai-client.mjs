// Drives a Hearth server with the official `openai` npm package and prints what it got back as JSON.
// Usage: node openai-client.mjs INPUT.json   (written by OpenAiNpmTests: urls, key, model, prompts)
import fs from "node:fs";
import OpenAI from "openai";

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const client = (url, key = input.key) => new OpenAI({ baseURL: url + "/v1", apiKey: key, maxRetries: 0, timeout: 60000 });
const tiny = client(input.tiny);
const results = {};

async function record(name, run) {
  try {
    results[name] = await run();
  } catch (e) {
    results[name] = { error: String(e && e.message), status: e && e.status, type: e && e.constructor && e.constructor.name };
  }
}

const user = (text) => [{ role: "user", content: text }];

await record("models", async () => (await tiny.models.list()).data.map((m) => m.id));

await record("chat", async () => {
  const r = await tiny.chat.completions.create({ model: input.model, messages: user(input.prompt), temperature: 0 });
  return { content: r.choices[0].message.content, finish: r.choices[0].finish_reason, usage: r.usage, model: r.model };
});

await record("chat_stream", async () => {
  const stream = await tiny.chat.completions.create({
    model: input.model, messages: user(input.prompt), temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let content = "", finish = null, usage = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  return { content, finish, usage, chunks };
});

await record("chat_stop", async () => {
  const r = await tiny.chat.completions.create({ model: input.model, messages: user(input.prompt), temperature: 0, stop: [input.stop] });
  return { content: r.choices[0].message.content, finish: r.choices[0].finish_reason };
});

await record("chat_max_tokens", async () => {
  const r = await tiny.chat.completions.create({ model: input.model, messages: user(input.prompt), temperature: 0, max_tokens: 1 });
  return { content: r.choices[0].message.content, finish: r.choices[0].finish_reason, usage: r.usage };
});

await record("chat_n", async () => {
  const r = await tiny.chat.completions.create({ model: input.model, messages: user(input.prompt), temperature: 0, n: 3 });
  return { contents: r.choices.map((c) => c.message.content), indexes: r.choices.map((c) => c.index), usage: r.usage };
});

await record("completion", async () => {
  const r = await tiny.completions.create({ model: input.model, prompt: input.completion_prompt, temperature: 0, max_tokens: 8 });
  return { text: r.choices[0].text, finish: r.choices[0].finish_reason, usage: r.usage };
});

await record("completion_stream", async () => {
  const stream = await tiny.completions.create({
    model: input.model, prompt: input.completion_prompt, temperature: 0, max_tokens: 8, stream: true, stream_options: { include_usage: true },
  });
  let text = "", usage = null, finish = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices[0]) { text += chunk.choices[0].text; finish = chunk.choices[0].finish_reason ?? finish; }
  }
  return { text, usage, finish };
});

const tools = [{
  type: "function",
  function: { name: "get_weather", description: "Get the current weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
}];

for (const [name, url, model] of [["llama", input.llama, input.llama_model], ["qwen", input.qwen, input.qwen_model]]) {
  const c = client(url);
  await record(`tools_${name}`, async () => {
    const r = await c.chat.completions.create({ model, messages: user("Weather in Paris?"), tools });
    const m = r.choices[0].message;
    return { finish: r.choices[0].finish_reason, content: m.content, calls: (m.tool_calls ?? []).map((t) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments })) };
  });
  await record(`tools_${name}_stream`, async () => {
    const stream = await c.chat.completions.create({ model, messages: user("Weather in Paris?"), tools, stream: true });
    const calls = [];
    let finish = null, content = "";
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      finish = choice.finish_reason ?? finish;
      content += choice.delta.content ?? "";
      for (const t of choice.delta.tool_calls ?? []) {
        calls[t.index] ??= { name: "", arguments: "" };
        if (t.function?.name) calls[t.index].name += t.function.name;
        if (t.function?.arguments) calls[t.index].arguments += t.function.arguments;
      }
    }
    return { finish, content, calls };
  });
}

await record("wrong_key", async () => client(input.tiny, "sk-wrong").chat.completions.create({ model: input.model, messages: user("hi") }));
await record("unknown_model", async () => tiny.chat.completions.create({ model: "no-such-model", messages: user("hi") }));
await record("bad_temperature", async () => tiny.chat.completions.create({ model: input.model, messages: user("hi"), temperature: 7 }));

console.log(JSON.stringify(results));
