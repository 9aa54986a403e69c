using System.Collections.Concurrent;
using System.Diagnostics;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Concurrent consumers against a tracker while something goes wrong underneath. It records what every caller was told:
/// keyed calls are retried with their key until acknowledged, keyless calls are tried once. Afterwards
/// <see cref="LoadRunLedger"/> compares what callers were told with what the tables hold.
/// </summary>
public sealed class LoadRun
{
    private readonly IUsageTracker _tracker;
    private readonly LoadRunSettings _settings;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _allowedKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _allowedKeyless = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _unknownKeyless = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Subject, string Key)> _unresolved = new();
    private readonly ConcurrentQueue<Exception> _untyped = new();
    private readonly ConcurrentQueue<Exception> _nonTransient = new();
    private readonly ConcurrentDictionary<string, int> _errorKinds = new(StringComparer.Ordinal);
    private int _attempts, _allowed, _denied, _replays, _errors, _outcomeUnknown;

    public LoadRun(IUsageTracker tracker, LoadRunSettings settings)
    {
        _tracker = tracker;
        _settings = settings;
    }

    public LoadRunSettings Settings => _settings;

    public int Attempts => _attempts;

    public int Allowed => _allowed;

    public int Denied => _denied;

    public int Replays => _replays;

    /// <summary>Calls that failed with <see cref="QuotaStoreUnavailableException"/>.</summary>
    public int Errors => _errors;

    /// <summary>Of <see cref="Errors"/>, those saying the write may have committed.</summary>
    public int OutcomeUnknown => _outcomeUnknown;

    /// <summary>Store failures that were not outages (a constraint violation, a missing privilege): bugs, must stay empty.</summary>
    public IReadOnlyCollection<Exception> NonTransientErrors => _nonTransient;

    /// <summary>Anything other than a QuotaKit exception that reached a caller (must stay empty).</summary>
    public IReadOnlyCollection<Exception> UntypedErrors => _untyped;

    /// <summary>Distinct idempotency keys acknowledged as allowed, per keyed subject.</summary>
    public int AllowedKeys(string subject) => _allowedKeys.TryGetValue(subject, out var keys) ? keys.Count : 0;

    public int AllowedKeyless(string subject) => _allowedKeyless.GetValueOrDefault(subject);

    public int UnknownKeyless(string subject) => _unknownKeyless.GetValueOrDefault(subject);

    /// <summary>Runs the workers until each made its calls or the duration is over.</summary>
    public async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var keyed = _settings.KeyedSubjectIds.Where(s => s != _settings.HotSubject).ToArray();
        var keyless = _settings.KeylessSubjectIds.ToArray();
        var workers = Enumerable.Range(0, _settings.Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < _settings.MaxCallsPerWorker && clock.Elapsed < _settings.MaxDuration; i++)
            {
                if (keyless.Length > 0 && i % 4 == 3)
                {
                    await KeylessCallAsync(keyless[(w + i) % keyless.Length]);
                }
                else
                {
                    var subject = i % 3 == 0 ? _settings.HotSubject : keyed[(w * 7 + i) % keyed.Length];
                    await KeyedCallAsync(subject, $"w{w}-c{i}", _settings.RetryFor);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
    }

    /// <summary>Retries every keyed call that was never acknowledged (the server was down for longer than its retries).</summary>
    public async Task SettleAsync()
    {
        while (_unresolved.TryDequeue(out var call))
        {
            if (!await KeyedCallAsync(call.Subject, call.Key, TimeSpan.FromSeconds(30), requeue: false))
            {
                throw new InvalidOperationException($"Call {call.Key} of {call.Subject} was never acknowledged, even after the fault ended.");
            }
        }
    }

    public string Summary() =>
        $"attempts {Attempts}, allowed {Allowed} (replays {Replays}), denied {Denied}, errors {Errors} " +
        $"(outcome unknown {OutcomeUnknown}; {string.Join(", ", _errorKinds.Select(k => $"{k.Key} x{k.Value}"))}), " +
        $"untyped errors {UntypedErrors.Count}";

    private async Task<bool> KeyedCallAsync(string subject, string key, TimeSpan retryFor, bool requeue = true)
    {
        var options = UsageOptions.WithIdempotencyKey(key);
        var retrying = Stopwatch.StartNew();
        while (true)
        {
            var decision = await AttemptAsync(subject, options);
            if (decision is not null)
            {
                if (decision.Allowed)
                {
                    _allowedKeys.GetOrAdd(subject, _ => new(StringComparer.Ordinal))[key] = true;
                }

                return true;
            }

            if (retrying.Elapsed > retryFor)
            {
                if (requeue)
                {
                    _unresolved.Enqueue((subject, key));
                }

                return false;
            }

            await Task.Delay(25);
        }
    }

    private async Task KeylessCallAsync(string subject)
    {
        try
        {
            var decision = await AttemptAsync(subject, options: null, rethrowStoreFailure: true);
            if (decision is { Allowed: true })
            {
                _allowedKeyless.AddOrUpdate(subject, 1, (_, n) => n + 1);
            }
        }
        catch (QuotaStoreUnavailableException exception) when (exception.OutcomeUnknown)
        {
            _unknownKeyless.AddOrUpdate(subject, 1, (_, n) => n + 1);
        }
        catch (QuotaStoreUnavailableException)
        {
            // Nothing was written: nothing to account for.
        }
    }

    /// <summary>One call; null when the store failed (counted), rethrown for keyless calls so they can be accounted.</summary>
    private async Task<UsageDecision?> AttemptAsync(string subject, UsageOptions? options, bool rethrowStoreFailure = false)
    {
        Interlocked.Increment(ref _attempts);
        try
        {
            var decision = await _tracker.TryConsumeAsync(subject, LoadRunSettings.Feature, 1, options);
            Interlocked.Increment(ref decision.Allowed ? ref _allowed : ref _denied);
            if (decision.IsReplay)
            {
                Interlocked.Increment(ref _replays);
            }

            return decision;
        }
        catch (QuotaStoreUnavailableException exception)
        {
            Interlocked.Increment(ref _errors);
            var kind = exception.InnerException is Npgsql.PostgresException p ? p.SqlState : exception.InnerException?.GetType().Name ?? "?";
            _errorKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
            if (!exception.IsTransient)
            {
                _nonTransient.Enqueue(exception);
            }

            if (exception.OutcomeUnknown)
            {
                Interlocked.Increment(ref _outcomeUnknown);
            }

            if (rethrowStoreFailure)
            {
                throw;
            }

            return null;
        }
        catch (Exception exception) when (exception is not QuotaKitException)
        {
            _untyped.Enqueue(exception);
            return null;
        }
    }
}
