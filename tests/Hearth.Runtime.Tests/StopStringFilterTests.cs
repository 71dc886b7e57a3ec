using Hearth.Runtime.Generation;

namespace Hearth.Runtime.Tests;

public class StopStringFilterTests
{
    private static (List<string> Chunks, string Text, bool Matched) Stream(IEnumerable<string> pieces, params string[] stops)
    {
        var filter = new StopStringFilter(stops);
        var chunks = new List<string>();
        foreach (var piece in pieces)
        {
            chunks.Add(filter.Push(piece));
            if (filter.Matched) break;
        }
        if (!filter.Matched) chunks.Add(filter.Flush());
        return (chunks, string.Concat(chunks), filter.Matched);
    }

    [Fact]
    public void Text_before_a_stop_string_split_over_chunks_is_emitted_and_the_stop_string_never_is()
    {
        var (chunks, text, matched) = Stream(["Hel", "lo wo", "r", "ld! more"], "world");
        Assert.True(matched);
        Assert.Equal("Hello ", text);
        Assert.All(chunks, c => Assert.DoesNotContain("w", c));
    }

    [Fact]
    public void A_partial_match_that_fails_is_released()
    {
        var (chunks, text, matched) = Stream(["ab", "c wo", "rk"], "world");
        Assert.False(matched);
        Assert.Equal("abc work", text);
        Assert.Equal("ab", chunks[0]);
        Assert.Equal("c ", chunks[1]); // "wo" held back: it could still become "world"
    }

    [Fact]
    public void Held_back_text_is_flushed_at_the_end()
    {
        var (_, text, matched) = Stream(["the end wor"], "world");
        Assert.False(matched);
        Assert.Equal("the end wor", text);
    }

    [Fact]
    public void The_earliest_of_several_stop_strings_wins()
    {
        var filter = new StopStringFilter(["\nUser:", "END", "x"]);
        Assert.Equal("a", filter.Push("a\nUs"));
        Assert.Equal("", filter.Push("er: END"));
        Assert.True(filter.Matched);
        Assert.Equal("\nUser:", filter.MatchedStop);
    }

    [Fact]
    public void Without_stop_strings_text_passes_straight_through()
    {
        var filter = new StopStringFilter([]);
        Assert.Equal("abc", filter.Push("abc"));
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void Every_split_of_a_text_gives_the_same_result_and_never_leaks_the_stop_string()
    {
        const string source = "one two STOP three";
        for (int a = 0; a <= source.Length; a++)
        {
            for (int b = a; b <= source.Length; b++)
            {
                var (chunks, text, matched) = Stream([source[..a], source[a..b], source[b..]], "STOP", "TWO");
                Assert.True(matched);
                Assert.Equal("one two ", text);
                Assert.All(chunks, c => Assert.DoesNotContain("S", c));
            }
        }
    }
}
