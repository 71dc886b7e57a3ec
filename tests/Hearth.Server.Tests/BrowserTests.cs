using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Hearth.Server.Tests;

/// <summary>The chat page in a real browser: Debian's chromium, headless, driven by playwright-core (js/browser.mjs).</summary>
[Collection("server")]
public class BrowserTests(TinyServer server)
{
    [Fact]
    public async Task The_chat_page_streams_a_reply_shows_the_model_and_tokens_per_second()
    {
        NodeRunner.RequirePackages("playwright-core");
        if (!File.Exists("/usr/bin/chromium") && Environment.GetEnvironmentVariable("CHROMIUM") is null)
            Assert.Fail("chromium is not installed: apt-get install -y chromium (tools/run-tests.sh does)");
        var golden = Golden.Chat[0];
        var shot = Path.Combine(Path.GetTempPath(), $"hearth-chat-{Guid.NewGuid():N}.png");
        try
        {
            var output = await NodeRunner.RunAsync("browser.mjs", TimeSpan.FromSeconds(60), server.BaseUrl + "/", TinyServer.ApiKey, shot, golden.Text);
            var r = JsonNode.Parse(output)!;
            Assert.True(r["error"] is null, $"the page showed an error: {r["error"]}");
            Assert.Empty(r["consoleErrors"]!.AsArray());
            Assert.Equal(TinyServer.ModelName, r["model"]!.GetValue<string>());
            // Greedy (the page's temperature set to 0): the reply PyTorch's golden predicts.
            Assert.Equal(server.Model.Tokenizer.Decode(Golden.ReplyIds(golden), skipSpecialTokens: true), r["reply"]!.GetValue<string>());
            Assert.True(r["updates"]!.GetValue<int>() >= 1);
            Assert.Matches(@"^[0-9]+\.[0-9] tok/s$", r["tps"]!.GetValue<string>());

            // The screenshot: a real PNG of the viewport with more than a blank page on it.
            var bytes = await File.ReadAllBytesAsync(shot);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal(960, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            Assert.Equal(960, r["image"]!["width"]!.GetValue<int>());
            Assert.True(r["image"]!["colors"]!.GetValue<int>() > 20, "the screenshot is (nearly) blank");
        }
        finally
        {
            File.Delete(shot);
        }
    }
}
