//! Diagnostic codes: one enum, each with its stable kebab-case name and whether it leaves the
//! image graph untrustworthy (structural).

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// ARCH is neither x86_64 nor aarch64.
    BadArch,
    /// A `verify:` expect that is not a regex.
    BadExpect,
    /// A platform that is not os/arch[/variant].
    BadPlatform,
    /// A platform the parent image does not provide.
    PlatformMismatch,
    /// A platform this host cannot build (no emulator, no native builder).
    PlatformUnavailable,
    /// A tag of a multi-platform image that differs between its platforms.
    PlatformTag,
    /// A Dockerfile step an exporter cannot translate.
    NotExportable,
    /// A `runtime_deps:` that cannot work.
    BadRuntimeDeps,
    /// A tag that is not a valid image reference.
    BadReference,
    /// A `registry:` that is not a registry/namespace prefix.
    BadRegistry,
    /// `--set` that is not NAME=VALUE, names no variable, or overrides no image or key.
    BadSet,
    /// An installer sha256 that is not 64 hex digits.
    BadSha256,
    /// The Dockerfile never declares the base arg.
    BaseArgUndeclared,
    /// A written base arg that is not the parent's tag.
    BaseDrift,
    /// A build cache the builder cannot import or export.
    CacheUnsupported,
    /// A combination documented to need care.
    CompatCaution,
    /// A known conflict between versions.
    CompatConflict,
    /// Versions not paired by their release notes.
    CompatNotPaired,
    /// A pin of another build variant.
    CompatPinVariant,
    /// A compatibility rules file that cannot be used.
    CompatRules,
    /// A combination nothing documents.
    CompatUnknownCombination,
    /// A version the knowledge does not know.
    CompatUnknownVersion,
    /// A requirement that cannot be checked.
    CompatUnverifiable,
    /// The file is empty.
    ConfigEmpty,
    /// The file is not UTF-8.
    ConfigNotUtf8,
    /// The file cannot be read.
    ConfigUnreadable,
    /// A password in a build arg or label.
    CredentialsInArg,
    /// Images depend on each other in a cycle.
    Cycle,
    /// A Dockerfile adf cannot fully parse.
    DockerfileParse,
    /// A parent listed twice.
    DuplicateDependsOn,
    /// Two images get one name (after the matrix).
    DuplicateImage,
    /// A key written twice in one mapping.
    DuplicateKey,
    /// A tag produced by two images.
    DuplicateTag,
    /// A matrix axis without values.
    EmptyMatrixAxis,
    /// Build inputs that cannot be read.
    Fingerprint,
    /// An installer whose sha256 differs.
    InstallerChecksum,
    /// A `${NAME}` that cannot be resolved.
    Interpolation,
    /// A build context that is not a directory.
    MissingContext,
    /// A base produced by another image without depends_on.
    MissingDependsOn,
    /// A Dockerfile that does not exist.
    MissingDockerfile,
    /// An installer that is not there.
    MissingInstaller,
    /// A COPY/ADD or bind-mount source that matches nothing in the build context.
    MissingSource,
    /// A required key is absent.
    MissingKey,
    /// A key without a value.
    MissingValue,
    /// BuildKit-only features under the legacy builder.
    NeedsBuildkit,
    /// No engine to talk to.
    NoEngine,
    /// No file here or in any parent (and none named by -f, ADF_FILE or --catalog).
    NoConfig,
    /// No `images:` section.
    NoImages,
    /// An image without tags.
    NoTags,
    /// A secret without exactly one source.
    SecretSource,
    /// Depends_on names no image.
    UnknownImage,
    /// A key the schema does not know.
    UnknownKey,
    /// A build secret nobody declares.
    UnknownSecret,
    /// A build target that is no stage.
    UnknownStage,
    /// A --target that matches no image.
    UnknownTarget,
    /// An installer that cannot be read.
    UnreadableInstaller,
    /// A build arg the Dockerfile never declares.
    UnusedBuildArg,
    /// A matrix that expands to more images than adf builds.
    MatrixTooLarge,
    /// An image name (after the matrix) with characters outside `[A-Za-z0-9._-]`.
    BadImageName,
    /// A build-arg or label key that is no name (`A=B`, empty).
    BadArgName,
    /// A build flag that overrides what adf manages (`--tag`, `--output`, ...).
    ManagedFlag,
    /// A context, Dockerfile or installer outside the project directory.
    PathOutside,
    /// A path read as a file that is a FIFO, device or directory.
    NotAFile,
    /// A config, Dockerfile or rules file over adf's size cap.
    FileTooLarge,
    /// A `.adf` state directory that is a symlink or holds one where adf writes.
    UnsafeState,
    /// An ignore file the build would refuse (a bad pattern, not a file).
    BadDockerignore,
    /// A value of the wrong shape.
    WrongType,
    /// An alias refers to an unknown anchor.
    YamlAlias,
    /// A mapping key that is not a plain string.
    YamlComplexKey,
    /// A YAML merge key (not supported).
    YamlMerge,
    /// More than one YAML document.
    YamlMultipleDocuments,
    /// YAML is not well-formed.
    YamlSyntax,
    /// YAML nests deeper than adf reads.
    YamlTooDeep,
    /// Aliases expand to too many nodes.
    YamlTooLarge,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: &[Code] = &[
        Code::BadArch,
        Code::BadExpect,
        Code::BadPlatform,
        Code::PlatformMismatch,
        Code::PlatformUnavailable,
        Code::PlatformTag,
        Code::NotExportable,
        Code::BadRuntimeDeps,
        Code::BadReference,
        Code::BadRegistry,
        Code::BadSet,
        Code::BadSha256,
        Code::BaseArgUndeclared,
        Code::BaseDrift,
        Code::CacheUnsupported,
        Code::CompatCaution,
        Code::CompatConflict,
        Code::CompatNotPaired,
        Code::CompatPinVariant,
        Code::CompatRules,
        Code::CompatUnknownCombination,
        Code::CompatUnknownVersion,
        Code::CompatUnverifiable,
        Code::ConfigEmpty,
        Code::ConfigNotUtf8,
        Code::ConfigUnreadable,
        Code::CredentialsInArg,
        Code::Cycle,
        Code::DockerfileParse,
        Code::DuplicateDependsOn,
        Code::DuplicateImage,
        Code::DuplicateKey,
        Code::DuplicateTag,
        Code::EmptyMatrixAxis,
        Code::Fingerprint,
        Code::InstallerChecksum,
        Code::Interpolation,
        Code::MissingContext,
        Code::MissingDependsOn,
        Code::MissingDockerfile,
        Code::MissingInstaller,
        Code::MissingSource,
        Code::MissingKey,
        Code::MissingValue,
        Code::NeedsBuildkit,
        Code::NoEngine,
        Code::NoConfig,
        Code::NoImages,
        Code::NoTags,
        Code::SecretSource,
        Code::UnknownImage,
        Code::UnknownKey,
        Code::UnknownSecret,
        Code::UnknownStage,
        Code::UnknownTarget,
        Code::UnreadableInstaller,
        Code::UnusedBuildArg,
        Code::MatrixTooLarge,
        Code::BadImageName,
        Code::BadArgName,
        Code::ManagedFlag,
        Code::PathOutside,
        Code::NotAFile,
        Code::FileTooLarge,
        Code::UnsafeState,
        Code::BadDockerignore,
        Code::WrongType,
        Code::YamlAlias,
        Code::YamlComplexKey,
        Code::YamlMerge,
        Code::YamlMultipleDocuments,
        Code::YamlSyntax,
        Code::YamlTooDeep,
        Code::YamlTooLarge,
    ];

    /// The stable name users see and JSON carries, e.g. `unknown-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadArch => "bad-arch",
            Code::BadExpect => "bad-expect",
            Code::BadPlatform => "bad-platform",
            Code::PlatformMismatch => "platform-mismatch",
            Code::PlatformUnavailable => "platform-unavailable",
            Code::PlatformTag => "platform-tag",
            Code::NotExportable => "not-exportable",
            Code::BadRuntimeDeps => "bad-runtime-deps",
            Code::BadReference => "bad-reference",
            Code::BadRegistry => "bad-registry",
            Code::BadSet => "bad-set",
            Code::BadSha256 => "bad-sha256",
            Code::BaseArgUndeclared => "base-arg-undeclared",
            Code::BaseDrift => "base-drift",
            Code::CacheUnsupported => "cache-unsupported",
            Code::CompatCaution => "compat-caution",
            Code::CompatConflict => "compat-conflict",
            Code::CompatNotPaired => "compat-not-paired",
            Code::CompatPinVariant => "compat-pin-variant",
            Code::CompatRules => "compat-rules",
            Code::CompatUnknownCombination => "compat-unknown-combination",
            Code::CompatUnknownVersion => "compat-unknown-version",
            Code::CompatUnverifiable => "compat-unverifiable",
            Code::ConfigEmpty => "config-empty",
            Code::ConfigNotUtf8 => "config-not-utf8",
            Code::ConfigUnreadable => "config-unreadable",
            Code::CredentialsInArg => "credentials-in-arg",
            Code::Cycle => "cycle",
            Code::DockerfileParse => "dockerfile-parse",
            Code::DuplicateDependsOn => "duplicate-depends-on",
            Code::DuplicateImage => "duplicate-image",
            Code::DuplicateKey => "duplicate-key",
            Code::DuplicateTag => "duplicate-tag",
            Code::EmptyMatrixAxis => "empty-matrix-axis",
            Code::Fingerprint => "fingerprint",
            Code::InstallerChecksum => "installer-checksum",
            Code::Interpolation => "interpolation",
            Code::MissingContext => "missing-context",
            Code::MissingDependsOn => "missing-depends-on",
            Code::MissingDockerfile => "missing-dockerfile",
            Code::MissingInstaller => "missing-installer",
            Code::MissingSource => "missing-source",
            Code::MissingKey => "missing-key",
            Code::MissingValue => "missing-value",
            Code::NeedsBuildkit => "needs-buildkit",
            Code::NoEngine => "no-engine",
            Code::NoConfig => "no-config",
            Code::NoImages => "no-images",
            Code::NoTags => "no-tags",
            Code::SecretSource => "secret-source",
            Code::UnknownImage => "unknown-image",
            Code::UnknownKey => "unknown-key",
            Code::UnknownSecret => "unknown-secret",
            Code::UnknownStage => "unknown-stage",
            Code::UnknownTarget => "unknown-target",
            Code::UnreadableInstaller => "unreadable-installer",
            Code::UnusedBuildArg => "unused-build-arg",
            Code::MatrixTooLarge => "matrix-too-large",
            Code::BadImageName => "bad-image-name",
            Code::BadArgName => "bad-arg-name",
            Code::ManagedFlag => "managed-flag",
            Code::PathOutside => "path-outside",
            Code::NotAFile => "not-a-file",
            Code::FileTooLarge => "file-too-large",
            Code::UnsafeState => "unsafe-state",
            Code::BadDockerignore => "bad-dockerignore",
            Code::WrongType => "wrong-type",
            Code::YamlAlias => "yaml-alias",
            Code::YamlComplexKey => "yaml-complex-key",
            Code::YamlMerge => "yaml-merge",
            Code::YamlMultipleDocuments => "yaml-multiple-documents",
            Code::YamlSyntax => "yaml-syntax",
            Code::YamlTooDeep => "yaml-too-deep",
            Code::YamlTooLarge => "yaml-too-large",
        }
    }

    /// After an error of this code the image graph itself cannot be trusted: read-only views
    /// (`list`, `graph`) stop instead of showing it.
    pub fn is_structural(self) -> bool {
        matches!(
            self,
            Code::YamlSyntax
                | Code::YamlTooDeep
                | Code::YamlTooLarge
                | Code::YamlAlias
                | Code::YamlMerge
                | Code::YamlComplexKey
                | Code::YamlMultipleDocuments
                | Code::DuplicateKey
                | Code::WrongType
                | Code::UnknownKey
                | Code::UnknownImage
                | Code::Cycle
                | Code::DuplicateImage
                | Code::Interpolation
                | Code::NoImages
                | Code::ConfigEmpty
                | Code::ConfigUnreadable
                | Code::NoConfig
                | Code::ConfigNotUtf8
                | Code::MatrixTooLarge
                | Code::BadImageName
        )
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'));
        }
        assert!(Code::Cycle.is_structural() && !Code::BaseDrift.is_structural());
    }
}
