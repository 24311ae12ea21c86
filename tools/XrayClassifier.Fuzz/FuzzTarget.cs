namespace XrayClassifier.Fuzz;

/// <summary>
/// One parser under fuzzing and its contract: <see cref="Exercise"/> runs the parser on an input and checks
/// what it returned (throwing <see cref="ContractViolation"/> when a result breaks a promise); the exceptions
/// in <see cref="IsRejection"/> are the parser's documented refusals, and any other exception is a finding.
/// Time and allocation are checked around it by <see cref="Contract"/>.
/// </summary>
public sealed class FuzzTarget
{
    public required string Name { get; init; }

    /// <summary>What the parser promises, in one sentence (printed by <c>list</c>).</summary>
    public required string Promise { get; init; }

    public required Action<byte[]> Exercise { get; init; }

    /// <summary>The parser's typed rejections: the only exceptions allowed to escape it.</summary>
    public required Func<Exception, bool> IsRejection { get; init; }

    /// <summary>Bytes the parser may allocate for an input of this many bytes: a fixed allowance plus a
    /// multiple of the input, so an allocation sized by a length read from the input (and not checked
    /// against the bytes that back it) is a finding.</summary>
    public required Func<int, long> AllocationBudget { get; init; }

    /// <summary>Seed inputs: the repository's fixtures and generated files (see <see cref="Seeds"/>).</summary>
    public required Func<string, IEnumerable<(string Name, byte[] Bytes)>> Seeds { get; init; }
}

/// <summary>A broken promise: an untyped exception, a wrong result, too much time or memory.</summary>
public sealed class ContractViolation(string target, string message, Exception? inner = null)
    : Exception($"[{target}] {message}", inner);
