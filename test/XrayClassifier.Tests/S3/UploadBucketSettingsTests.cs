using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Tests.S3;

public class UploadBucketSettingsTests
{
    private static UploadBucketSettings Read(params (string Name, string? Value)[] variables) =>
        UploadBucketSettings.FromEnvironment(new DictionaryEnvironmentVariables(variables.ToDictionary(v => v.Name, v => v.Value)));

    [Fact]
    public void DefaultsToA32MiBCapA15MinuteFormAnd10SecondDeadlineInLambdasRegion()
    {
        var s = Read(("XRAY_UPLOAD_BUCKET", "xray-uploads-123"), ("AWS_REGION", "eu-west-1"));

        Assert.Empty(s.Problems);
        Assert.True(s.IsConfigured);
        Assert.Equal("xray-uploads-123", s.BucketName);
        Assert.Equal(32L * 1024 * 1024, s.MaxUploadBytes);
        Assert.Equal(TimeSpan.FromMinutes(15), s.UrlLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), s.Timeout);
        Assert.Equal("eu-west-1", s.Region);
        Assert.Null(s.Endpoint);
    }

    [Fact]
    public void ReadsEveryUploadVariable()
    {
        var s = Read(("XRAY_UPLOAD_BUCKET", " b.uploads "), ("XRAY_MAX_UPLOAD_BYTES", "15728640"), ("XRAY_UPLOAD_URL_SECONDS", "60"),
            ("XRAY_S3_ENDPOINT", "http://127.0.0.1:4569"), ("XRAY_S3_TIMEOUT_SECONDS", "3"));

        Assert.Empty(s.Problems);
        Assert.Equal("b.uploads", s.BucketName);
        Assert.Equal(15728640, s.MaxUploadBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), s.UrlLifetime);
        Assert.Equal(new Uri("http://127.0.0.1:4569/"), s.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(3), s.Timeout);
        Assert.Equal("us-east-1", s.Region); // a local endpoint needs no AWS_REGION
    }

    [Fact]
    public void WithoutABucketIsNotConfiguredAndReportsNothing()
    {
        var s = Read();

        Assert.False(s.IsConfigured);
        Assert.Empty(s.Problems);
    }

    [Fact]
    public void ReportsEachBadValueByNameInsteadOfThrowing()
    {
        var s = Read(("XRAY_UPLOAD_BUCKET", "arn:aws:s3:::Uploads"), ("XRAY_MAX_UPLOAD_BYTES", "15MB"), ("XRAY_UPLOAD_URL_SECONDS", "0"),
            ("XRAY_S3_ENDPOINT", "localhost:4569"), ("XRAY_S3_TIMEOUT_SECONDS", "-1"));

        Assert.Collection(s.Problems,
            p => Assert.StartsWith("XRAY_UPLOAD_BUCKET='arn:aws:s3:::Uploads' is not an S3 bucket name", p),
            p => Assert.StartsWith("XRAY_S3_ENDPOINT='localhost:4569' is not an http(s) URL", p),
            p => Assert.StartsWith("AWS_REGION is not set", p),
            p => Assert.Equal("XRAY_MAX_UPLOAD_BYTES='15MB' is not a whole number of bytes from 1 to 5368709120.", p),
            p => Assert.Equal("XRAY_UPLOAD_URL_SECONDS='0' is not a whole number of seconds from 1 to 43200.", p),
            p => Assert.Equal("XRAY_S3_TIMEOUT_SECONDS='-1' is not a whole number of seconds from 1 to 300.", p));
        Assert.Equal(UploadBucketSettings.DefaultMaxUploadBytes, s.MaxUploadBytes);
        Assert.Equal(UploadBucketSettings.DefaultUrlLifetime, s.UrlLifetime);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("xray-classifier-uploadbucket-1a2b3c4d5e6f", true)]
    [InlineData("my.bucket.name", true)]
    [InlineData("123", true)]
    [InlineData("ab", false)]
    [InlineData("Uploads", false)]
    [InlineData("my_bucket", false)]
    [InlineData("-bucket", false)]
    [InlineData("bucket-", false)]
    [InlineData("my..bucket", false)]
    [InlineData("192.168.5.4", false)]
    [InlineData("s3://bucket", false)]
    public void AcceptsOnlyS3BucketNames(string name, bool valid) => Assert.Equal(valid, UploadBucketSettings.IsBucketName(name));
}
