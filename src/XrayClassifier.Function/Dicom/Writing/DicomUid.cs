using System.Numerics;

namespace XrayClassifier.Function.Dicom.Writing;

/// <summary>
/// UIDs under the UUID-derived root 2.25 (PS3.5 §B.2): "2.25." and a UUID read as one unsigned 128-bit integer in
/// decimal, at most 39 digits, so every UID made here is at most 44 characters of the 64 allowed. No organisational
/// root is needed, and a random (version 4) UUID makes collisions as unlikely as UUIDs do.
/// </summary>
public static class DicomUid
{
    /// <summary>Implementation Class UID (0002,0012) of every Part 10 file this project writes: UUID
    /// 7629de9c-5642-4b2a-822d-679feb283019, drawn once for the project, in decimal.</summary>
    public const string ImplementationClassUid = "2.25.157066302755041218741849739635699757081";

    /// <summary>Implementation Version Name (0002,0013), SH: at most 16 characters.</summary>
    public const string ImplementationVersionName = "XRAYCLASSIFIER1";

    /// <summary>A new UID from a new random UUID.</summary>
    public static string New() => From(Guid.NewGuid());

    /// <summary>The same UID for the same <paramref name="name"/>, always: a name-based UUID (RFC 9562 version 8: the first
    /// 16 bytes of the name's SHA-256, version and variant bits set), for a Device UID that names one model version.</summary>
    public static string FromName(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name), hash);
        hash[6] = (byte)(hash[6] & 0x0F | 0x80);
        hash[8] = (byte)(hash[8] & 0x3F | 0x80);
        return "2.25." + new BigInteger(hash[..16], isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The 2.25 UID of <paramref name="uuid"/> (its 16 bytes big-endian, as RFC 9562 writes them).</summary>
    public static string From(Guid uuid) =>
        "2.25." + new BigInteger(uuid.ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
