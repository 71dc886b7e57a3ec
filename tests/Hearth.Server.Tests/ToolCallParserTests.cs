using Hearth.Server.Chat;

namespace Hearth.Server.Tests;

public class ToolCallParserTests
{
    [Theory]
    [InlineData("""{"name": "f", "parameters": {"a": 1}}""", "f", """{"a":1}""")]
    [InlineData("""  <|python_tag|>{"name": "f", "parameters": {"a": "x"}}""", "f", """{"a":"x"}""")]
    [InlineData("""{"name": "f", "arguments": {"a": [1, 2]}}""", "f", """{"a":[1,2]}""")]
    [InlineData("""{"name": "f", "arguments": "{\"a\": 1}"}""", "f", """{"a": 1}""")]
    [InlineData("""<tool_call>{"name": "f", "arguments": {"s": "}{"}}</tool_call>""", "f", """{"s":"}{"}""")]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}", "f", "{}")]
    public void Single_calls_parse(string text, string name, string arguments)
    {
        var (content, calls) = ToolCallParser.Parse(text);
        Assert.Null(content);
        var call = Assert.Single(calls);
        Assert.Equal(name, call.Name);
        Assert.Equal(arguments, call.ArgumentsJson);
    }

    [Fact]
    public void Several_calls_parse_in_both_formats()
    {
        var (_, llama) = ToolCallParser.Parse("""{"name": "a", "parameters": {}}; {"name": "b", "parameters": {"x": 1}}""");
        Assert.Equal(["a", "b"], llama.Select(c => c.Name));
        var (content, qwen) = ToolCallParser.Parse("I will call two.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>");
        Assert.Equal(["a", "b"], qwen.Select(c => c.Name));
        Assert.Equal("I will call two.", content);
        var (_, array) = ToolCallParser.Parse("""[{"name": "a", "parameters": {}}, {"name": "b", "parameters": {}}]""");
        Assert.Equal(2, array.Count);
    }

    [Theory]
    [InlineData("Hello there.")]
    [InlineData("{not json")]
    [InlineData("""{"title": "no name field"}""")]
    [InlineData("""{"name": "f"} and then text""")]
    [InlineData("""<tool_call>{"name": broken}</tool_call>""")]
    [InlineData("")]
    public void Anything_else_stays_content(string text)
    {
        var (content, calls) = ToolCallParser.Parse(text);
        Assert.Empty(calls);
        Assert.Equal(text, content);
    }

    [Fact]
    public void The_streamer_releases_plain_text_and_holds_calls()
    {
        var s = new ToolCallStreamer();
        Assert.Equal("", s.Push(" "));
        Assert.Equal(" Hello", s.Push("Hello"));
        Assert.Equal(" wor", s.Push(" wor<tool"));
        Assert.Equal("", s.Push("_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>"));
        var (content, calls) = s.Finish();
        Assert.Null(content);
        Assert.Equal("f", Assert.Single(calls).Name);

        var json = new ToolCallStreamer();
        Assert.Equal("", json.Push("{\"name\": \"g\", "));
        Assert.Equal("", json.Push("\"parameters\": {}}"));
        Assert.Equal("g", Assert.Single(json.Finish().Calls).Name);

        var notCall = new ToolCallStreamer();
        Assert.Equal("", notCall.Push("{"));
        Assert.Equal("", notCall.Push("oops"));
        var end = notCall.Finish();
        Assert.Empty(end.Calls);
        Assert.Equal("{oops", end.Content);
    }
}
