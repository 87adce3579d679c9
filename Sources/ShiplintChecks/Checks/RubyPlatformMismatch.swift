import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let rubyPlatformMismatch = Check(
        id: "ruby-platform-mismatch",
        defaultSeverity: .error,
        summary: "Gems installed or locked for another platform than the Ruby runtime's Linux (a macOS, musl or Windows bundle)",
        explanation: """
            Bundler resolves platform gems (nokogiri, ffi, google-protobuf, grpc, sqlite3 … ship precompiled builds \
            named `nokogiri-1.16.0-x86_64-linux`, `-arm64-darwin`, `-x86_64-linux-musl`, `-x64-mingw-ucrt`) for the \
            platforms listed under `PLATFORMS` in Gemfile.lock. A bundle installed on a Mac puts \
            `vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-arm64-darwin/` in the function: Ruby on Lambda \
            (`x86_64-linux` or `aarch64-linux`, glibc) never activates a gem of another platform, so `require` fails \
            with `LoadError: cannot load such file -- nokogiri` (Bundler: `Could not find \
            nokogiri-1.16.0-x86_64-linux in locally installed gems`). That is an error on the gem's folder (its \
            Mach-O or musl files are then notes: never loaded); a gem installed for another platform beside the \
            same version for this one (or the generic `ruby` one) is a note. A Gemfile.lock whose `PLATFORMS` has \
            neither the runtime's platform nor `ruby` is a warning on the lock: `require "bundler/setup"` and \
            `bundle exec` stop with `Your bundle only supports platforms ["arm64-darwin-23"] but your local \
            platform is x86_64-linux`, and `bundle install` in a Lambda build image cannot resolve Linux gems from \
            it.

            Fix: `bundle lock --add-platform x86_64-linux` (`aarch64-linux` on arm64), commit the lock, then \
            `bundle config set --local path vendor/bundle && bundle install` inside \
            public.ecr.aws/sam/build-ruby3.3 (the function's Ruby) and package `vendor/bundle` again.
            """,
        examples: [
            CheckExample(
                "nokogiri installed on a Mac",
                subject: .deployment(function: SampleRuby.function(entries: [
                    "vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-arm64-darwin/lib/nokogiri.rb",
                    "vendor/bundle/ruby/3.3.0/specifications/nokogiri-1.16.0-arm64-darwin.gemspec",
                ]), layers: []),
                target: "aws-lambda-ruby3.3-x86_64", fires: true, at: "vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-arm64-darwin",
                mentions: "installed for arm64-darwin"),
            CheckExample(
                "a lock file for macOS only",
                subject: .deployment(function: SampleRuby.function(entries: [], lock: "GEM\n  specs:\n    nokogiri (1.16.0-arm64-darwin)\n\nPLATFORMS\n  arm64-darwin-23\n\nDEPENDENCIES\n  nokogiri\n"), layers: []),
                target: "aws-lambda-ruby3.3-x86_64", fires: true, at: "Gemfile.lock",
                mentions: "PLATFORMS lists arm64-darwin-23 only"),
            CheckExample(
                "the Linux build installed, the lock naming it",
                subject: .deployment(function: SampleRuby.function(entries: [
                    "vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-x86_64-linux/lib/nokogiri.rb",
                ], lock: "PLATFORMS\n  arm64-darwin-23\n  x86_64-linux\n"), layers: []),
                target: "aws-lambda-ruby3.3-x86_64", fires: false),
            CheckExample(
                "a musl gem on an arm64 function",
                subject: .deployment(function: SampleRuby.function(entries: [
                    "vendor/bundle/ruby/3.4.0/gems/google-protobuf-4.29.3-aarch64-linux-musl/lib/google/protobuf.rb",
                ]), layers: []),
                target: "aws-lambda-ruby3.4-arm64", fires: true, at: "vendor/bundle/ruby/3.4.0/gems/google-protobuf-4.29.3-aarch64-linux-musl",
                mentions: "installed for aarch64-linux-musl"),
        ],
        judgement: .perDeployment { context in
            let runtime = context.runtime
            guard let ruby = runtime.target.ruby else { return [] }
            var verdicts: [LocatedVerdict] = []
            for gem in InstalledPlatformGem.all(placed: context.placed) where !gem.platform.fits(runtime) {
                guard let artifact = context.placed.first(where: { $0.artifact.path == gem.artifact })?.artifact else { continue }
                let sibling = gem.hasFittingSibling(in: artifact, runtime: runtime)
                let message = sibling
                    ? "\(gem.name) \(gem.version) installed for \(gem.platform) beside its build for this platform: Ruby on \(ruby.arch) activates that one and never loads this"
                    : "\(gem.name) \(gem.version) installed for \(gem.platform); Ruby on \(context.target.runtimeLabel) (\(ruby.arch), \(runtime.libc.kind == .musl ? "musl" : "glibc")) never activates a gem of another platform: require fails with LoadError (cannot load such file -- \(gem.name))"
                verdicts.append(LocatedVerdict(
                    artifact: gem.artifact, path: gem.folder,
                    verdict: Verdict(message, fix: context.advice(for: gem.role).rebuild(), fact: "\(gem.name) \(gem.platform)",
                                     severity: sibling ? .note : nil)))
            }
            for (artifact, role) in context.placed where artifact.image == nil {
                guard let text = artifact.metadataFiles[GemfileLock.path], let lock = GemfileLock(text: text), !lock.platforms.isEmpty,
                    !lock.platforms.contains(where: { $0.fits(runtime) })
                else { continue }
                let listed = lock.platforms.map(\.description)
                let message = "PLATFORMS lists \(listed.joined(separator: ", ")) only, not \(ruby.arch) or ruby: require \"bundler/setup\" and bundle exec stop with \"Your bundle only supports platforms \(listed) but your local platform is \(ruby.arch)\", and bundle install cannot resolve this function's gems for Lambda"
                verdicts.append(LocatedVerdict(
                    artifact: artifact.path, path: GemfileLock.path,
                    verdict: Verdict(message, fix: context.advice(for: role).rebuild(), fact: "PLATFORMS \(listed.joined(separator: " "))",
                                     severity: .warning)))
            }
            return verdicts
        })
}

extension GemfileLock {
    /// Where Bundler's lock is read: at the top of the function or layer (beside the Gemfile).
    static let path = "Gemfile.lock"
}

/// Ruby functions built in code for check examples and tests.
public enum SampleRuby {
    /// A function .zip with a handler, the `entries` given, and a Gemfile.lock of `lock` when given.
    public static func function(entries: [String], lock: String? = nil, path: String = "function.zip") -> Artifact {
        let files = ["lambda_function.rb"] + entries + (lock == nil ? [] : ["Gemfile", "Gemfile.lock"])
        return Artifact(
            path: path, kind: .zip,
            entries: files.map { ArtifactEntry(path: $0, size: 100, mode: 0o100644, type: .file) },
            binaries: [], problems: [], metadataFiles: lock.map { ["Gemfile.lock": $0] } ?? [:])
    }
}
