using System.Diagnostics;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// Loads one component (the classifier, the image pipeline) on a background thread, remembers why it
/// failed, and tries again when asked after the <see cref="RetryPolicy"/>'s delay. At most one attempt runs
/// at a time; callers arriving during an attempt wait for it (up to their own limit). Once loaded, the
/// value is kept for the life of the container.
/// </summary>
public sealed class RetryingLoader<T> : IDisposable where T : class
{
    private readonly string _component;
    private readonly Func<T> _load;
    private readonly TimeProvider _clock;
    private readonly RetryPolicy _policy;
    private readonly Lock _lock = new();
    private T? _value;
    private PlatformUnavailableException? _failure;
    private Task? _attempt;
    private DateTimeOffset _attemptStarted;
    private DateTimeOffset _nextAttemptAt;
    private int _consecutiveFailures;

    /// <summary><paramref name="component"/> names failures that are not already a PlatformUnavailableException.</summary>
    public RetryingLoader(string component, Func<T> load, TimeProvider clock, RetryPolicy policy)
    {
        _component = component;
        _load = load;
        _clock = clock;
        _policy = policy;
    }

    /// <summary>How many attempts have been started.</summary>
    public int Attempts { get; private set; }

    /// <summary>Milliseconds the successful attempt took.</summary>
    public double? LoadMs { get; private set; }

    /// <summary>The value if loaded (never waits).</summary>
    public T? Value => Volatile.Read(ref _value);

    /// <summary>Starts the first attempt if none has been made.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_value is null && _attempt is null && Attempts == 0) _attempt = StartAttempt();
        }
    }

    /// <summary>The attempt under way, if any (INIT waits on it).</summary>
    public Task? CurrentAttempt
    {
        get { lock (_lock) return _attempt; }
    }

    /// <summary>
    /// The component, loading it first if it is not loaded and the back-off allows an attempt. Waits at most
    /// <paramref name="maxWait"/> for an attempt; if that runs out the attempt continues in the background
    /// and the outcome says the component is still loading.
    /// </summary>
    public async Task<LoadOutcome<T>> GetAsync(TimeSpan maxWait)
    {
        if (Volatile.Read(ref _value) is { } loaded) return new(loaded, null);
        Task attempt;
        lock (_lock)
        {
            if (_value is not null) return new(_value, null);
            if (_attempt is null)
            {
                if (_failure is not null && _clock.GetUtcNow() < _nextAttemptAt) return new(null, _failure);
                _attempt = StartAttempt();
            }
            attempt = _attempt;
        }

        try
        {
            await attempt.WaitAsync(maxWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var seconds = (_clock.GetUtcNow() - _attemptStarted).TotalSeconds;
            return new(null, new PlatformUnavailableException(_component,
                $"The {_component} is still loading ({seconds:F0} s so far); try again shortly. " +
                "If this persists, the EFS file system's throughput may be exhausted (use Elastic throughput)."));
        }
        lock (_lock) return new(_value, _value is null ? _failure : null);
    }

    /// <summary>The last failure, if the component is not loaded (never waits).</summary>
    public PlatformUnavailableException? LastFailure
    {
        get { lock (_lock) return _value is null ? _failure : null; }
    }

    /// <summary>When the next attempt may start (meaningful after a failure).</summary>
    public DateTimeOffset NextAttemptAt
    {
        get { lock (_lock) return _nextAttemptAt; }
    }

    private Task StartAttempt()
    {
        Attempts++;
        _attemptStarted = _clock.GetUtcNow();
        // A thread of its own, not one of the pool's: a load is tens of milliseconds of blocking work, and on a 2-vCPU
        // Lambda the pool starts with two workers, which the first request needs for its event and its decode
        // (on a cold start the decode's strip reader waited for the model's load to give its worker back).
        return Task.Factory.StartNew(Attempt, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Attempt()
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var value = _load();
            lock (_lock)
            {
                _value = value;
                _failure = null;
                _consecutiveFailures = 0;
                LoadMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                _attempt = null;
            }
        }
        catch (Exception e)
        {
            var failure = e as PlatformUnavailableException ?? new PlatformUnavailableException(_component,
                $"Loading the {_component} failed unexpectedly: {e.GetType().Name}: {e.Message}", e);
            lock (_lock)
            {
                _failure = failure;
                _consecutiveFailures++;
                _nextAttemptAt = _clock.GetUtcNow() + _policy.DelayAfter(_consecutiveFailures);
                _attempt = null;
            }
        }
    }

    public void Dispose()
    {
        Task? attempt;
        lock (_lock) attempt = _attempt;
        attempt?.Wait(TimeSpan.FromSeconds(30));
        (Volatile.Read(ref _value) as IDisposable)?.Dispose();
    }
}
