namespace QuotaKit.Tests.Tracking;

/// <summary>
/// An in-memory store with reservations that fails settlements on cue: each queued failure is thrown by the next
/// settle, after applying it when asked (a reply lost after the commit). It can also answer replays without the first
/// call's id, as a store that does not keep call ids would. Counts settle attempts and retries.
/// </summary>
internal sealed class HoldSettlingStore : DelegatingStore
{
    public Queue<(bool AppliedFirst, QuotaStoreUnavailableException Error)> SettleFailures { get; } = new();

    /// <summary>When true, a replay comes back without <see cref="StoredUsageCall.CallId"/>.</summary>
    public bool ForgetsCallIds { get; set; }

    public int SettleAttempts { get; private set; }

    public int Retries { get; private set; }

    public override bool SupportsReservations => true;

    public override async ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        var result = await Inner.WriteAsync(write, cancellationToken);
        return ForgetsCallIds && result.Replay is { } first ? UsageWriteResult.Replayed(first with { CallId = null }) : result;
    }

    public override async ValueTask<HoldSettleResult> SettleHoldAsync(HoldSettleRequest request, CancellationToken cancellationToken)
    {
        SettleAttempts++;
        if (SettleFailures.TryDequeue(out var failure))
        {
            if (failure.AppliedFirst)
            {
                await Inner.SettleHoldAsync(request, cancellationToken);
            }

            throw failure.Error;
        }

        return await Inner.SettleHoldAsync(request, cancellationToken);
    }

    public override void PrepareRetry() => Retries++;
}
