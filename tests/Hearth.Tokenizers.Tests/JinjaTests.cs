using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Tokenizers.Tests;

/// <summary>Small templates whose output Python's Jinja2 (trim_blocks, lstrip_blocks) gives as stated.</summary>
public class JinjaTests
{
    private static string Render(string template, bool addGenerationPrompt = false, params ChatTurn[] messages)
        => ChatTemplate.Parse(template).Render(messages, addGenerationPrompt, "<s>", "</s>");

    [Theory]
    [InlineData("{{ 'a,b'.split(',')[-1].lstrip('x') }}", "b")]
    [InlineData("{{ 'x</think>\\n\\nyy'.split('</think>')[-1].lstrip('\\n') }}", "yy")]
    [InlineData("{{ [1,2,3][::-1] }}", "[3, 2, 1]")]
    [InlineData("{{ 'abc'[1:] ~ 'abc'[:-1] }}", "bcab")]
    [InlineData("{{ 1 + 2 * 3 }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ 7 / 2 }}", "7|3|2|1024|3.5")]
    [InlineData("{{ 'yes' if 1 > 2 else 'no' }}", "no")]
    [InlineData("{{ x is defined }}{{ x is not defined }}{{ none is none }}", "FalseTrueTrue")]
    [InlineData("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "3")]
    [InlineData("{% set n = 1 %}{% for i in range(3) %}{% set n = 5 %}{% endfor %}{{ n }}", "1")]
    [InlineData("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }},{% endfor %}", "1TrueFalse3,2FalseFalse3,3FalseTrue3,")]
    [InlineData("{% for x in [1,2,3,4] if x is even %}{{ x }}{% else %}none{% endfor %}", "24")]
    [InlineData("{% for x in [] %}{{ x }}{% else %}none{% endfor %}", "none")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;")]
    [InlineData("{{ {'b': 1, 'a': [true, none, 'x\"y']} | tojson }}", "{\"b\": 1, \"a\": [true, null, \"x\\\"y\"]}")]
    [InlineData("{{ [1, 2] | tojson(indent=2) }}", "[\n  1,\n  2\n]")]
    [InlineData("{{ '  hi  ' | trim }}|{{ 'Hi' | upper }}|{{ 'Hi' | lower }}|{{ [1,2,3] | length }}|{{ [1,2] | join('-') }}", "hi|HI|hi|3|1-2")]
    [InlineData("{{ x | default('d') }}|{{ '' | default('d', true) }}|{{ 'a-b' | replace('-', '+') }}", "d|d|a+b")]
    [InlineData("{{ [{'a': 1}, {'a': 2}, {'b': 3}] | selectattr('a') | map(attribute='a') | list }}", "[1, 2]")]
    [InlineData("{{ [{'r': 'x'}, {'r': 'y'}] | rejectattr('r', 'equalto', 'x') | first }}", "{'r': 'y'}")]
    [InlineData("{{ [3, 4] | last }}{{ '5' | int + 1 }}{{ 5 | string ~ 'x' }}", "465x")]
    [InlineData("{{ 'a' in 'cat' }}{{ 2 not in [1, 2] }}{{ 'k' in {'k': 1} }}", "TrueFalseTrue")]
    [InlineData("{{ {} is mapping }}{{ [] is sequence }}{{ 'x' is string }}{{ 1.5 is number }}{{ 'x' is number }}", "TrueTrueTrueTrueFalse")]
    [InlineData("{% macro greet(name, greeting='Hi') %}{{ greeting }} {{ name }}{% endmacro %}{{ greet('Bo') }}/{{ greet('Al', greeting='Yo') }}", "Hi Bo/Yo Al")]
    [InlineData("{% if false %}a{% elif true %}b{% else %}c{% endif %}", "b")]
    [InlineData("a\n  {%- if true -%}\n  b\n  {%- endif %}", "ab")]
    [InlineData("{% if true %}\n  x\n{% endif %}\ny", "  x\ny")]
    [InlineData("  {% if true %}x{% endif %}", "x")]
    [InlineData("a {% if true %}x{% endif %}", "a x")]
    [InlineData("{# comment #}\nz", "z")]
    [InlineData("{% set x %}block{{ 1 }}{% endset %}[{{ x }}]", "[block1]")]
    [InlineData("{% for i in range(5) %}{% if i == 3 %}{% break %}{% endif %}{% if i == 1 %}{% continue %}{% endif %}{{ i }}{% endfor %}", "02")]
    [InlineData("{{ bos_token }}{{ eos_token }}{{ add_generation_prompt }}", "<s></s>False")]
    [InlineData("{{ none }}|{{ true }}|{{ 1.0 }}|{{ ['a'] }}", "None|True|1.0|['a']")]
    [InlineData("{{ \"it's\" }}|{{ 'a' 'b' }}", "it's|ab")]
    [InlineData("{{ 'Hello World'.startswith('Hell') }}{{ 'x'.endswith(('y', 'x')) }}{{ ' a b '.split() }}", "TrueTrue['a', 'b']")]
    [InlineData("{{ strftime_now('%Y') | length }}", "4")]
    public void Renders_as_jinja2(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void Messages_are_maps_with_role_content_and_tool_fields()
    {
        var turns = new[]
        {
            new ChatTurn("user", "hi"),
            new ChatTurn("assistant", "") { ToolCalls = [new System.Text.Json.Nodes.JsonObject { ["name"] = "f", ["arguments"] = new System.Text.Json.Nodes.JsonObject { ["x"] = 1 } }] },
            new ChatTurn("tool", "42") { ToolCallId = "c1" },
        };
        var template = "{% for m in messages %}{{ m.role }}:{{ m['content'] }}{% if m.tool_calls %}{{ m.tool_calls[0].arguments | tojson }}{% endif %}{{ m.tool_call_id }};{% endfor %}{% if add_generation_prompt %}>{% endif %}";
        Assert.Equal("user:hi;assistant:{\"x\": 1};tool:42c1;>", Render(template, true, turns));
    }

    [Fact]
    public void Raise_exception_names_the_message_and_position()
    {
        var e = Assert.Throws<TemplateException>(() => Render("line1\n{{ raise_exception('Bad roles') }}"));
        Assert.Contains("Bad roles", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Line);
    }

    [Theory]
    [InlineData("{% if x %}open", 1)]
    [InlineData("ok\n{{ 1 + }}", 2)]
    [InlineData("a\nb\n{% bogus %}", 3)]
    [InlineData("{{ 'unterminated }}", 1)]
    [InlineData("{% for x in y %}{% endif %}", 1)]
    public void Syntax_errors_name_line_and_column(string template, int line)
    {
        var e = Assert.Throws<TemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal(line, e.Line);
        Assert.True(e.Column >= 1);
        Assert.Contains($"line {line}, column", e.Message, StringComparison.Ordinal);
    }
}
