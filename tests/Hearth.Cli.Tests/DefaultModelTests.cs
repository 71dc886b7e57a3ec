namespace Hearth.Cli.Tests;

public class DefaultModelTests
{
    [Fact]
    public void The_repository_root_is_found_from_the_test_binaries()
    {
        var root = ModelLocator.FindRepositoryRoot(AppContext.BaseDirectory);
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "Hearth.slnx")));
    }

    [Fact]
    public void Without_a_repository_no_root_is_found()
    {
        Assert.Null(ModelLocator.FindRepositoryRoot(Path.GetPathRoot(Path.GetTempPath())!));
    }
}
