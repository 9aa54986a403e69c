using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QuotaKit.PostgreSql;

internal sealed class SubjectLimitOverrideConfiguration : IEntityTypeConfiguration<SubjectLimitOverride>
{
    public void Configure(EntityTypeBuilder<SubjectLimitOverride> builder)
    {
        builder.ToTable(QuotaKitSchema.SubjectLimitOverrides, QuotaKitSchema.Name, table =>
            table.HasCheckConstraint("ck_subject_limit_overrides_limit", "limit_value IS NULL OR limit_value >= 0"));
        builder.HasKey(o => new { o.SubjectId, o.FeatureKey }).HasName("pk_subject_limit_overrides");
        builder.Property(o => o.SubjectId).HasColumnName("subject_id").HasMaxLength(QuotaKitSchema.SubjectIdMaxLength);
        builder.Property(o => o.FeatureKey).HasColumnName("feature_key").HasMaxLength(QuotaKitSchema.FeatureKeyMaxLength);
        builder.Property(o => o.LimitValue).HasColumnName("limit_value");
        builder.Property(o => o.IsDisabled).HasColumnName("is_disabled");
        builder.Property(o => o.IsSoft).HasColumnName("is_soft");
        builder.Property(o => o.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(o => o.UpdatedAt).HasColumnName("updated_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
    }
}
