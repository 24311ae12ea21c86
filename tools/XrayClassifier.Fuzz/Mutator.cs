namespace XrayClassifier.Fuzz;

/// <summary>
/// AFL-style havoc mutations for the in-process smoke run (test/.../Fuzz): bit flips, interesting values,
/// arithmetic, block deletion, duplication and splicing with another seed. Not coverage-guided — that is
/// tools/fuzz.sh's job — but deterministic for a seed, so a CI failure reproduces.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly int[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, int.MaxValue, -1, -128];
    private static readonly byte[] Tokens = "\"{}[],:\\\r\n-=0\0"u8.ToArray();
    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> others)
    {
        var data = new List<byte>(input);
        int rounds = 1 << _random.Next(1, 5);
        for (int r = 0; r < rounds; r++)
        {
            if (data.Count == 0) { data.Add((byte)_random.Next(256)); continue; }
            int at = _random.Next(data.Count);
            switch (_random.Next(9))
            {
                case 0: data[at] ^= (byte)(1 << _random.Next(8)); break;
                case 1: data[at] = (byte)_random.Next(256); break;
                case 2: data[at] = (byte)(data[at] + _random.Next(-35, 36)); break;
                case 3:
                {
                    int value = Interesting[_random.Next(Interesting.Length)];
                    for (int i = 0; i < 4 && at + i < data.Count; i++) data[at + i] = (byte)(value >> (8 * i));
                    break;
                }
                case 4: data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(32))); break;
                case 5:
                {
                    int length = Math.Min(data.Count - at, 1 + _random.Next(64));
                    var block = data.GetRange(at, length);
                    int times = 1 + _random.Next(4);
                    for (int i = 0; i < times; i++) data.InsertRange(_random.Next(data.Count + 1), block);
                    break;
                }
                case 6: data.Insert(at, (byte)_random.Next(256)); break;
                case 7:
                {
                    var other = others[_random.Next(others.Count)];
                    if (other.Length == 0) break;
                    int from = _random.Next(other.Length), length = Math.Min(other.Length - from, 1 + _random.Next(128));
                    data.InsertRange(at, other.AsSpan(from, length).ToArray());
                    break;
                }
                default:
                    if (_random.Next(2) == 0) data.RemoveRange(at, data.Count - at); // truncation
                    else data[at] = Tokens[_random.Next(Tokens.Length)];
                    break;
            }
        }
        return [.. data];
    }
}
