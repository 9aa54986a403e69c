using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QuotaKit.PostgreSql;

internal sealed class UsageEventConfiguration : IEntityTypeConfiguration<UsageEvent>
{
    public void Configure(EntityTypeBuilder<UsageEvent> builder)
    {
        builder.ToTable(QuotaKitSchema.UsageEvents, QuotaKitSchema.Name, table =>
            table.HasCheckConstraint("ck_usage_events_period", "period_end > period_start"));
        // Every key leads with subject_id (schema version 5), as Citus needs of a table distributed by it
        // (docs/scaling.md). The index on id alone serves the hot path's update of the event it just claimed.
        builder.HasKey(e => new { e.SubjectId, e.Id }).HasName("pk_usage_events");
        builder.HasIndex(e => e.Id).HasDatabaseName("ix_usage_events_id");
        builder.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(e => e.SubjectId).HasColumnName("subject_id").HasMaxLength(QuotaKitSchema.SubjectIdMaxLength);
        builder.Property(e => e.FeatureKey).HasColumnName("feature_key").HasMaxLength(QuotaKitSchema.FeatureKeyMaxLength);
        builder.Property(e => e.Operation).HasColumnName("operation").HasMaxLength(16);
        builder.Property(e => e.Amount).HasColumnName("amount");
        builder.Property(e => e.OccurredAt).HasColumnName("occurred_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(e => e.PeriodStart).HasColumnName("period_start").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(e => e.PeriodEnd).HasColumnName("period_end").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(e => e.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(QuotaKitSchema.IdempotencyKeyMaxLength);
        builder.Property(e => e.CallId).HasColumnName("call_id");
        builder.Property(e => e.Metadata).HasColumnName("metadata").HasColumnType("jsonb");
        builder.Property(e => e.Outcome).HasColumnName("outcome");
        builder.Property(e => e.UsedAfter).HasColumnName("used_after");
        builder.Property(e => e.LimitKind).HasColumnName("limit_kind");
        builder.Property(e => e.LimitValue).HasColumnName("limit_value");
        builder.Property(e => e.LimitSoft).HasColumnName("limit_soft");
        builder.Property(e => e.RecordedAt).HasColumnName("recorded_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);

        builder.HasIndex(e => new { e.SubjectId, e.IdempotencyKey })
            .HasDatabaseName("ux_usage_events_idempotency")
            .IsUnique()
            .HasFilter("idempotency_key IS NOT NULL");
        builder.HasIndex(e => new { e.SubjectId, e.FeatureKey, e.OccurredAt }).HasDatabaseName("ix_usage_events_subject_feature_time");
        builder.HasIndex(e => e.RecordedAt).HasDatabaseName("ix_usage_events_recorded_at");
    }
}
