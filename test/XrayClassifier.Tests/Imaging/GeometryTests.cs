using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Resize plans and orientation maps, against torchvision's arithmetic and the EXIF definitions.</summary>
public sealed class GeometryTests
{
    private static readonly PreprocessSpec Square = FidelityCorpus.Rgb224;

    [Fact]
    public void StretchPlansExactlyTheModelSize()
    {
        var plan = ResizePlan.For(2048, 2500, ExifOrientation.Upright, Square);
        Assert.Equal((224, 224, 0, 0, 224, 224), (plan.ResizedWidth, plan.ResizedHeight, plan.Left, plan.Top, plan.StoredWidth, plan.StoredHeight));
    }

    [Theory]
    // torchvision Resize(224): short side 224, long side int(224·long/short); CenterCrop: round((size − 224)/2), half to even.
    [InlineData(2048, 2500, 224, 273, 0, 24)]
    [InlineData(2500, 2048, 273, 224, 24, 0)]
    [InlineData(300, 301, 224, 224, 0, 0)]
    [InlineData(224, 227, 224, 227, 0, 2)]   // (227 − 224)/2 = 1.5 → 2
    [InlineData(224, 229, 224, 229, 0, 2)]   // (229 − 224)/2 = 2.5 → 2 (half to even, as Python's round)
    [InlineData(100, 100, 224, 224, 0, 0)]
    public void CoverPlansTorchvisionsResizeAndCentreCrop(int w, int h, int rw, int rh, int left, int top)
    {
        var plan = ResizePlan.For(w, h, ExifOrientation.Upright, Square with { Resize = ResizeMode.Cover });
        Assert.Equal((rw, rh, left, top), (plan.ResizedWidth, plan.ResizedHeight, plan.Left, plan.Top));
    }

    [Fact]
    public void ResizesARotatedImageInItsStoredOrientation()
    {
        var plan = ResizePlan.For(2048, 2500, ExifOrientation.Rotate90, Square with { Resize = ResizeMode.Cover });
        Assert.Equal((224, 273), (plan.ResizedWidth, plan.ResizedHeight));
        Assert.Equal((273, 224), (plan.StoredWidth, plan.StoredHeight));
    }

    [Theory]
    // Where the displayed top-left and top-right pixels of a 4×3 display come from in the stored image.
    [InlineData(1, 0, 0, 3, 0)]
    [InlineData(2, 3, 0, 0, 0)]
    [InlineData(3, 3, 2, 0, 2)]
    [InlineData(4, 0, 2, 3, 2)]
    [InlineData(5, 0, 0, 0, 3)]
    [InlineData(6, 0, 3, 0, 0)]     // stored is 3×4, turned left: display's top-left was bottom-left
    [InlineData(7, 2, 3, 2, 0)]
    [InlineData(8, 2, 0, 2, 3)]
    public void MapsDisplayedPixelsToStoredOnes(int tag, int tlx, int tly, int trx, int try_)
    {
        var o = (ExifOrientation)tag;
        bool swap = PixelMap.SwapsAxes(o);
        var map = PixelMap.For(o, swap ? 3 : 4, swap ? 4 : 3);
        Assert.Equal((tlx, tly), (map.StoredX(0, 0), map.StoredY(0, 0)));
        Assert.Equal((trx, try_), (map.StoredX(3, 0), map.StoredY(3, 0)));
    }
}
