// Renders OpenAI chat requests with a model's chat template through Hugging Face's own Jinja (@huggingface/jinja),
// converting messages as transformers' convention wants them (content parts joined, tool-call arguments parsed to
// objects): the independent reference for the prompts Hearth's server builds. Prints a JSON array of prompts.
// Usage: node render-template.mjs INPUT.json   ({template, bos_token, eos_token, requests: [{messages, tools}]})
import fs from "node:fs";
import { Template } from "@huggingface/jinja";

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const template = new Template(input.template);
// (@huggingface/jinja defines strftime_now itself, as transformers does.)

function convert(message) {
  const m = { ...message };
  if (m.role === "developer") m.role = "system";
  if (Array.isArray(m.content)) m.content = m.content.map((p) => p.text).join("");
  if (m.content === null || m.content === undefined) m.content = "";
  if (m.tool_calls) {
    m.tool_calls = m.tool_calls.map((c) => ({ ...c, function: { name: c.function.name, arguments: JSON.parse(c.function.arguments) } }));
  }
  return m;
}

const prompts = input.requests.map((r) => template.render({
  messages: r.messages.map(convert),
  tools: r.tools,
  add_generation_prompt: true,
  bos_token: input.bos_token,
  eos_token: input.eos_token,
}));
console.log(JSON.stringify(prompts));
