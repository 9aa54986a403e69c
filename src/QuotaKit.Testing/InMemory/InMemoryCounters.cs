using NodaTime;

namespace QuotaKit.Testing;

/// <summary>
/// One subject's periods of one feature, ordered by start, never overlapping: finds the period that holds an instant
/// and the neighbours a new period must fit between. Used only under the store's lock.
/// </summary>
internal sealed class InMemoryCounters
{
    private readonly SortedList<Instant, InMemoryCounter> _byStart = new();

    public IEnumerable<InMemoryCounter> All => _byStart.Values;

    /// <summary>The latest counter starting at or before <paramref name="instant"/> (it may have ended); <c>null</c> when none.</summary>
    public InMemoryCounter? LatestStartingAtOrBefore(Instant instant)
    {
        var index = LastIndexStartingAtOrBefore(instant);
        return index < 0 ? null : _byStart.Values[index];
    }

    /// <summary>The start of the first counter starting after <paramref name="instant"/>; <c>null</c> when none.</summary>
    public Instant? FirstStartAfter(Instant instant)
    {
        var next = LastIndexStartingAtOrBefore(instant) + 1;
        return next < _byStart.Count ? _byStart.Keys[next] : null;
    }

    /// <summary>Binary search over the starts: the index of the last one at or before <paramref name="instant"/>; -1 when none.</summary>
    private int LastIndexStartingAtOrBefore(Instant instant)
    {
        var starts = _byStart.Keys;
        int low = 0, high = starts.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (starts[middle] <= instant)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    public InMemoryCounter Add(UsagePeriod period)
    {
        var counter = new InMemoryCounter(period);
        _byStart.Add(period.Start, counter);
        return counter;
    }
}
