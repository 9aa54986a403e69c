using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QuotaKit.PostgreSql;

internal sealed class SubjectGrantConfiguration : IEntityTypeConfiguration<SubjectGrant>
{
    public void Configure(EntityTypeBuilder<SubjectGrant> builder)
    {
        builder.ToTable(QuotaKitSchema.SubjectGrants, QuotaKitSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_subject_grants_validity", "valid_until > valid_from");
            table.HasCheckConstraint("ck_subject_grants_amount", "amount > 0");
        });
        // Leads with subject_id (schema version 5): see UsageEventConfiguration.
        builder.HasKey(g => new { g.SubjectId, g.Id }).HasName("pk_subject_grants");
        builder.Property(g => g.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(g => g.SubjectId).HasColumnName("subject_id").HasMaxLength(QuotaKitSchema.SubjectIdMaxLength);
        builder.Property(g => g.FeatureKey).HasColumnName("feature_key").HasMaxLength(QuotaKitSchema.FeatureKeyMaxLength);
        builder.Property(g => g.Amount).HasColumnName("amount");
        builder.Property(g => g.ValidFrom).HasColumnName("valid_from").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(g => g.ValidUntil).HasColumnName("valid_until").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(g => g.Reason).HasColumnName("reason").HasMaxLength(500);
        builder.Property(g => g.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.HasIndex(g => new { g.SubjectId, g.FeatureKey }).HasDatabaseName("ix_subject_grants_subject_feature");
    }
}
