using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QuotaKit.PostgreSql;

internal sealed class UsageCounterConfiguration : IEntityTypeConfiguration<UsageCounter>
{
    public void Configure(EntityTypeBuilder<UsageCounter> builder)
    {
        builder.ToTable(QuotaKitSchema.UsageCounters, QuotaKitSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_usage_counters_period", "period_end > period_start");
            table.HasCheckConstraint("ck_usage_counters_used", "used >= 0");
        });
        // Only identity columns are indexed, never "used": updates of the hot counter stay HOT (no index writes).
        builder.HasKey(c => new { c.SubjectId, c.FeatureKey, c.PeriodStart }).HasName("pk_usage_counters");
        builder.Property(c => c.SubjectId).HasColumnName("subject_id").HasMaxLength(QuotaKitSchema.SubjectIdMaxLength);
        builder.Property(c => c.FeatureKey).HasColumnName("feature_key").HasMaxLength(QuotaKitSchema.FeatureKeyMaxLength);
        builder.Property(c => c.PeriodStart).HasColumnName("period_start").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(c => c.PeriodEnd).HasColumnName("period_end").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(c => c.Used).HasColumnName("used");
        builder.Property(c => c.LimitValue).HasColumnName("limit_value");
        builder.Property(c => c.AlertedPercent).HasColumnName("alerted_percent");
        builder.Property(c => c.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(c => c.UpdatedAt).HasColumnName("updated_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
    }
}
