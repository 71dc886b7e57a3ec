// Conversations rendered through each real chat template by make_goldens.mjs.
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the weather for a city",
    parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
  },
};
export const conversations = [
  { name: "single_user", messages: [{ role: "user", content: "Hello!" }] },
  { name: "system_user", messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "What is 2+2?" }] },
  {
    name: "multi_turn",
    messages: [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "Tell me a joke." },
    ],
  },
  {
    name: "system_multi_turn",
    messages: [
      { role: "system", content: "Be terse." },
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "And Germany?" },
      { role: "assistant", content: "Berlin." },
    ],
  },
  { name: "whitespace_content", messages: [{ role: "user", content: "  padded with spaces \n\n" }] },
  { name: "unicode_content", messages: [{ role: "user", content: "日本語 😀 𝐀𝐁 עברית\ttab" }] },
  {
    name: "special_text_in_content",
    messages: [{ role: "user", content: "<|im_start|> and <|eot_id|> and <s> in text" }, { role: "assistant", content: "ok" }],
  },
  {
    name: "reasoning_assistant",
    messages: [
      { role: "user", content: "Think first." },
      { role: "assistant", content: "<think>\nLet me think.\n</think>\n\nThe answer is 4." },
      { role: "user", content: "Again?" },
      { role: "assistant", content: "<think>\nStill 4.\n</think>\n\nStill 4." },
    ],
  },
  {
    name: "tool_call",
    tools: [weatherTool],
    messages: [
      { role: "system", content: "Use tools when needed." },
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "get_weather", arguments: { city: "Paris" } } }] },
      { role: "tool", content: "{\"temp\": 21}", tool_call_id: "call_1" },
      { role: "tool", content: "{\"wind\": 5}", tool_call_id: "call_2" },
      { role: "assistant", content: "It is 21 degrees." },
    ],
  },
  { name: "tools_no_system", tools: [weatherTool], messages: [{ role: "user", content: "Weather in Oslo?" }] },
  { name: "empty_content", messages: [{ role: "user", content: "" }] },
];
