namespace Hearth.Cli.Tests;

public class ArgumentErrorTests
{
    [Theory]
    [InlineData("generate")]
    [InlineData("generate", "--prompt", "hi", "--prompt-ids", "1,2")]
    [InlineData("generate", "--prompt-ids", "1,x")]
    [InlineData("generate", "--prompt-ids", "")]
    [InlineData("generate", "--prompt", "hi", "--no-such-flag")]
    [InlineData("generate", "--prompt", "hi", "--max-tokens", "many")]
    [InlineData("generate", "--prompt", "hi", "--max-tokens", "-3")]
    [InlineData("generate", "--prompt", "hi", "--top-p", "0")]
    [InlineData("generate", "--prompt", "hi", "--temperature", "-1")]
    [InlineData("tokenize", "--model", "x")]
    [InlineData("frobnicate")]
    public void Bad_flags_exit_with_code_2_and_a_message(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void Missing_prompt_names_both_ways_to_give_one()
    {
        var result = CliRunner.Run("generate");
        Assert.Contains("--prompt", result.Error, StringComparison.Ordinal);
        Assert.Contains("--prompt-ids", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_prompt_ids_name_the_bad_item()
    {
        var result = CliRunner.Run("generate", "--prompt-ids", "1,x");
        Assert.Contains("'x'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("generate", "--prompt", "hi")]
    [InlineData("chat")]
    [InlineData("info")]
    [InlineData("tokenize", "--text", "hi")]
    public void A_nonexistent_model_is_a_user_error_without_stack_trace(params string[] args)
    {
        var missing = Path.Combine(Path.GetTempPath(), "hearth-no-such-model-" + Guid.NewGuid().ToString("N"));
        var result = CliRunner.Run([.. args, "--model", missing]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nonexistent_tokenizer_file_is_a_user_error()
    {
        var result = CliRunner.Run("tokenize", "--tokenizer", "/no/such/tokenizer.json", "--text", "hi");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_exits_with_zero_and_lists_the_commands()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "generate", "chat", "info", "tokenize" })
            Assert.Contains(name, result.Out, StringComparison.Ordinal);
    }
}
