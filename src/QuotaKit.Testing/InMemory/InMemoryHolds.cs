using NodaTime;

namespace QuotaKit.Testing;

/// <summary>The in-memory store's holds, by subject and id and, while they hold units, by counter. Not thread-safe:
/// the store calls it under its lock.</summary>
internal sealed class InMemoryHolds
{
    private readonly Dictionary<(string SubjectId, Guid Id), (string FeatureKey, InMemoryHold Hold)> _byId = new();
    private readonly Dictionary<(string SubjectId, string FeatureKey), List<InMemoryHold>> _held = new();

    public void Add(string subjectId, string featureKey, InMemoryHold hold)
    {
        _byId.Add((subjectId, hold.Id), (featureKey, hold));
        if (!_held.TryGetValue((subjectId, featureKey), out var held))
        {
            _held[(subjectId, featureKey)] = held = [];
        }

        held.Add(hold);
    }

    public InMemoryHold? Find(string subjectId, string featureKey, Guid id) =>
        _byId.TryGetValue((subjectId, id), out var found) && found.FeatureKey == featureKey ? found.Hold : null;

    /// <summary>Gives back the units of the counter's holds that expired at <paramref name="now"/>, as every write does first.</summary>
    public void ReleaseExpired(string subjectId, string featureKey, Instant now)
    {
        if (!_held.TryGetValue((subjectId, featureKey), out var held))
        {
            return;
        }

        foreach (var hold in held.Where(h => h.HasExpiredAt(now)))
        {
            hold.GiveBack(ReservationState.Expired, now);
        }

        held.RemoveAll(h => h.State != ReservationState.Held);
    }

    public void Settled(string subjectId, string featureKey, InMemoryHold hold) => _held[(subjectId, featureKey)].Remove(hold);

    /// <summary>Forgets holds settled before <paramref name="settledBefore"/>; returns how many.</summary>
    public int ForgetSettled(Instant settledBefore)
    {
        var settled = _byId.Where(h => h.Value.Hold.SettledAt < settledBefore).Select(h => h.Key).ToList();
        settled.ForEach(key => _byId.Remove(key));
        return settled.Count;
    }
}
