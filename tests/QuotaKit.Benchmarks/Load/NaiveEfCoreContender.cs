using Microsoft.EntityFrameworkCore;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.PostgreSql;

namespace QuotaKit.Benchmarks.Load;

/// <summary>
/// The pattern QuotaKit replaces: read the counter with EF Core, compare in C#, increment and SaveChanges. No lock and
/// no concurrency token, so concurrent requests pass the same check (overshoot) and overwrite each other (lost updates).
/// </summary>
internal sealed class NaiveEfCoreContender(IDbContextFactory<QuotaKitDbContext> contexts, Workload workload) : IContender
{
    public string Name => "Naive EF Core";

    public async Task<bool> TryConsumeAsync(string subjectId, Quota quota)
    {
        await using var context = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var start = workload.Period.Start;
        var counter = await context.UsageCounters
            .FirstOrDefaultAsync(c => c.SubjectId == subjectId && c.FeatureKey == quota.FeatureKey && c.PeriodStart == start)
            .ConfigureAwait(false);
        if (counter is null)
        {
            counter = new UsageCounter
            {
                SubjectId = subjectId,
                FeatureKey = quota.FeatureKey,
                PeriodStart = start,
                PeriodEnd = workload.Period.End,
                LimitValue = quota.Limit,
                CreatedAt = workload.Now,
            };
            context.UsageCounters.Add(counter);
        }

        if (counter.Used + 1 > quota.Limit)
        {
            return false;
        }

        counter.Used += 1;
        counter.UpdatedAt = workload.Now;
        await context.SaveChangesAsync().ConfigureAwait(false);
        return true;
    }
}
