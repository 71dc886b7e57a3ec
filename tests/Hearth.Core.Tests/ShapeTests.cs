namespace Hearth.Core.Tests;

public class ShapeTests
{
    [Fact]
    public void Basics()
    {
        var s = new Shape(4, 3, 2);
        Assert.Equal(3, s.Rank);
        Assert.Equal(4, s[0]);
        Assert.Equal(2, s.Last);
        Assert.Equal(24, s.ElementCount);
        Assert.Equal("[4, 3, 2]", s.ToString());
    }

    [Fact]
    public void Equality_is_by_dimensions()
    {
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.True(new Shape(2, 3) == new Shape(2, 3));
        Assert.True(new Shape(2, 3) != new Shape(3, 2));
        Assert.Equal(new Shape(2, 3).GetHashCode(), new Shape(2, 3).GetHashCode());
        Assert.Equal(new Shape(), default);
    }

    [Fact]
    public void Scalar_and_empty()
    {
        Assert.Equal(0, default(Shape).Rank);
        Assert.Equal(1, new Shape().ElementCount);
        Assert.Equal(0, new Shape(5, 0).ElementCount);
        Assert.Equal("[]", new Shape().ToString());
    }

    [Fact]
    public void Negative_dimension_throws() =>
        Assert.Throws<HearthException>(() => new Shape(2, -1));

    [Fact]
    public void Element_count_overflow_is_checked() =>
        Assert.Throws<OverflowException>(() => new Shape(int.MaxValue, int.MaxValue, int.MaxValue).ElementCount);
}
