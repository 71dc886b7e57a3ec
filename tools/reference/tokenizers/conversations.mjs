// Conversations rendered through each real chat template by make_goldens.mjs.
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the weather for a city",
    parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
  },
};
const searchTool = {
  type: "function",
  function: {
    name: "web_search",
    description: "Search the web; returns the top results",
    parameters: {
      type: "object",
      properties: { query: { type: "string" }, max_results: { type: "integer", description: "1 to 10", default: 3 } },
      required: ["query"],
    },
  },
};
const calculatorTool = {
  type: "function",
  function: {
    name: "calculate",
    description: "Evaluate an arithmetic expression, e.g. \"2 * (3 + 4)\"",
    parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
  },
};
// Each conversation may carry extra template variables (vars): enable_thinking, tools_in_user_message, date_string.
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
  { name: "system_only", messages: [{ role: "system", content: "You are a pirate." }] },
  {
    name: "long_multi_turn",
    messages: [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "One?" }, { role: "assistant", content: "1" },
      { role: "user", content: "Two?" }, { role: "assistant", content: "2" },
      { role: "user", content: "Three?" }, { role: "assistant", content: "3" },
      { role: "user", content: "Four?" },
    ],
  },
  { name: "assistant_last", messages: [{ role: "user", content: "Start a story." }, { role: "assistant", content: "Once upon a time" }] },
  {
    name: "tools_multiple_with_system",
    tools: [weatherTool, searchTool, calculatorTool],
    messages: [{ role: "system", content: "You can use tools." }, { role: "user", content: "What is 17 * 23, and is it sunny in Rome?" }],
  },
  {
    name: "tool_call_string_arguments",
    tools: [calculatorTool],
    messages: [
      { role: "user", content: "Compute 2 * (3 + 4)." },
      { role: "assistant", content: "", tool_calls: [{ id: "call_9", type: "function", function: { name: "calculate", arguments: "{\"expression\": \"2 * (3 + 4)\"}" } }] },
      { role: "tool", content: "14", tool_call_id: "call_9" },
      { role: "assistant", content: "2 * (3 + 4) = 14." },
      { role: "user", content: "Thanks!" },
    ],
  },
  {
    name: "parallel_tool_calls",
    tools: [weatherTool],
    messages: [
      { role: "user", content: "Weather in Paris and Tokyo?" },
      {
        role: "assistant",
        content: "Let me check both.",
        tool_calls: [
          { id: "a", type: "function", function: { name: "get_weather", arguments: { city: "Paris" } } },
          { id: "b", type: "function", function: { name: "get_weather", arguments: { city: "Tokyo" } } },
        ],
      },
      { role: "tool", content: "{\"city\": \"Paris\", \"temp\": 18}", tool_call_id: "a" },
      { role: "tool", content: "{\"city\": \"Tokyo\", \"temp\": 25}", tool_call_id: "b" },
    ],
  },
  {
    name: "multi_step_tools",
    tools: [searchTool, calculatorTool],
    messages: [
      { role: "system", content: "Think step by step." },
      { role: "user", content: "Population of France times two?" },
      { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "web_search", arguments: { query: "population of France", max_results: 1 } } }] },
      { role: "tool", content: "About 68 million (2024)." },
      { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "calculate", arguments: { expression: "68000000 * 2" } } }] },
      { role: "tool", content: "136000000" },
    ],
  },
  {
    name: "reasoning_content_field",
    messages: [
      { role: "user", content: "Is 7 prime?" },
      { role: "assistant", content: "Yes.", reasoning_content: "7 has no divisors other than 1 and 7." },
      { role: "user", content: "And 9?" },
    ],
  },
  { name: "thinking_disabled", vars: { enable_thinking: false }, messages: [{ role: "user", content: "Quick answer: 5+5?" }] },
  {
    name: "tools_in_user_message",
    tools: [weatherTool],
    vars: { tools_in_user_message: true, date_string: "26 Jul 2024" },
    messages: [{ role: "user", content: "  Weather in Lima?  " }, { role: "assistant", content: "", tool_calls: [{ function: { name: "get_weather", arguments: { city: "Lima" } } }] }, { role: "ipython", content: "{\"temp\": 15}" }],
  },
  {
    name: "unicode_tools",
    tools: [{ type: "function", function: { name: "traduire", description: "Traduit un texte — 日本語 too 😀", parameters: { type: "object", properties: { texte: { type: "string", enum: ["é", "ß", "\u00e9"] } } } } }],
    vars: { date_string: "01 Feb 2025" },
    messages: [{ role: "user", content: "Traduis « bonjour » 🇫🇷" }],
  },
  { name: "bad_role", messages: [{ role: "narrator", content: "Meanwhile..." }, { role: "user", content: "Hi" }] },
  { name: "two_users_in_a_row", messages: [{ role: "user", content: "First" }, { role: "user", content: "Second" }] },
];
