namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// Releases every waiting task at once, without blocking thread-pool threads (a Barrier with dozens of tasks starves
/// the pool on a 2-core machine and turns a race into a slow trickle).
/// </summary>
public sealed class StartingGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private readonly int _participants;

    public StartingGate(int participants)
    {
        _participants = participants;
    }

    /// <summary>Waits until all participants arrived, then all continue together.</summary>
    public Task ArriveAndWaitAsync()
    {
        if (Interlocked.Increment(ref _waiting) == _participants)
        {
            _open.SetResult();
        }

        return _open.Task;
    }
}
