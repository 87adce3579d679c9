import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let rubyABIMismatch = Check(
        id: "ruby-abi-mismatch",
        defaultSeverity: .error,
        summary: "A Ruby native extension built for another Ruby than the runtime's, or installed where it does not look",
        explanation: """
            A gem's native extension (`ffi_c.so`, `nokogiri.so`, `pg_ext.so`, `mysql2.so` …) is compiled against one \
            Ruby: built against a shared Ruby it needs that Ruby's `libruby.so.X.Y` (Debian names it \
            `libruby-3.1.so.3.1`), and RubyGems and Bundler install it under folders named by \
            `RbConfig::CONFIG["ruby_version"]` (`vendor/bundle/ruby/3.3.0/`, `extensions/x86_64-linux/3.3.0/`; a \
            layer's `ruby/gems/3.3.0/`). A function bundled with another Ruby (a `bundle install` on the developer's \
            Ruby 3.2, an old build image, a Linux distribution's gems) deploys fine and fails at the first request: \
            `LoadError: libruby.so.3.2: cannot open shared object file`, `incompatible library version`, or, when \
            the whole bundle sits in another Ruby's folder, `cannot load such file` / Bundler's `Could not find \
            ffi-1.15.5 in locally installed gems`. shiplint reads the Ruby runtime's version and folder from the \
            target (`[ruby]`) and reports an extension that needs another libruby, or lies in another Ruby's gem \
            folder.

            Fix: build the gems in the runtime's own image: `bundle lock --add-platform x86_64-linux` (or \
            `aarch64-linux`), then `bundle config set --local path vendor/bundle && bundle install` inside \
            public.ecr.aws/sam/build-ruby3.3 (the function's Ruby), and package `vendor/bundle` again.
            """,
        examples: [
            CheckExample(
                "an extension built against Ruby 3.2",
                binary: SampleBinary.elf("vendor/bundle/ruby/3.3.0/gems/ffi-1.17.0/lib/ffi_c.so", needed: ["libruby.so.3.2", "libc.so.6"]),
                target: "aws-lambda-ruby3.3-x86_64", fires: true, at: "vendor/bundle/ruby/3.3.0/gems/ffi-1.17.0/lib/ffi_c.so",
                mentions: "built for Ruby 3.2 (needs libruby.so.3.2)"),
            CheckExample(
                "a bundle installed for Ruby 3.2",
                binary: SampleBinary.elf("vendor/bundle/ruby/3.2.0/extensions/x86_64-linux/3.2.0/ffi-1.17.0/ffi_c.so"),
                target: "aws-lambda-ruby3.3-x86_64", fires: true, at: "vendor/bundle/ruby/3.2.0/extensions/x86_64-linux/3.2.0/ffi-1.17.0/ffi_c.so",
                mentions: "in vendor/bundle/ruby/3.2.0/, a folder for Ruby 3.2"),
            CheckExample(
                "built against the runtime's Ruby",
                binary: SampleBinary.elf("vendor/bundle/ruby/3.3.0/extensions/x86_64-linux/3.3.0/ffi-1.17.0/ffi_c.so", needed: ["libruby.so.3.3", "libc.so.6"]),
                target: "aws-lambda-ruby3.3-x86_64", fires: false),
            CheckExample(
                "the same file on a Python runtime",
                binary: SampleBinary.elf("vendor/bundle/ruby/3.2.0/gems/ffi-1.17.0/lib/ffi_c.so", needed: ["libruby.so.3.2", "libc.so.6"]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard let ruby = context.target.ruby, case .elf(let elf)? = context.binary.facts, !context.binary.path.contains("!") else { return nil }
        let fix = context.advice.rebuild()
        if let needed = elf.needed.first(where: { RubyABI.minor(ofLibruby: $0) != nil }), let minor = RubyABI.minor(ofLibruby: needed) {
            if minor != ruby.minor {
                return Verdict(
                    "built for Ruby \(minor) (needs \(needed)); \(context.target.runtimeLabel) runs Ruby \(ruby.version) (\(ruby.libruby)): require fails with LoadError",
                    fix: fix, fact: needed)
            }
            if needed != ruby.libruby {
                return Verdict(
                    "needs \(needed), a Linux distribution's name for its own Ruby \(minor); \(context.target.runtimeLabel) has \(ruby.libruby): require fails with LoadError (cannot open shared object file)",
                    fix: fix, fact: needed)
            }
        }
        if let folder = RubyABI.versionFolder(in: context.binary.path), folder.version != ruby.versionFolder {
            let minor = folder.version.split(separator: ".").prefix(2).joined(separator: ".")
            return Verdict(
                "in \(folder.path), a folder for Ruby \(minor); \(context.target.runtimeLabel) (Ruby \(ruby.version)) looks in \(folder.path.replacingText(folder.version, with: ruby.versionFolder)) and never loads it (cannot load such file)",
                fix: fix, fact: "ruby \(folder.version)")
        }
        return nil
    }
}

/// What names a Ruby ABI: libruby's soname and the `ruby_version` folders of gem paths.
enum RubyABI {
    /// `3.3` of `libruby.so.3.3`, `libruby-3.1.so.3.1` (Debian's); nil for any other name.
    static func minor(ofLibruby soname: String) -> String? {
        guard soname.hasPrefix("libruby"), let range = soname.firstRange(ofText: ".so.") else { return nil }
        let version = soname[range.upperBound...].split(separator: ".")
        guard version.count >= 2, version.prefix(2).allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return version.prefix(2).joined(separator: ".")
    }

    /// The `ruby_version` folder a path lies in, as Bundler, RubyGems and a layer name it:
    /// `vendor/bundle/ruby/3.2.0/…`, `ruby/gems/3.2.0/…`, `…/extensions/<arch>/3.2.0/…`.
    static func versionFolder(in path: String) -> (path: String, version: String)? {
        let parts = path.split(separator: "/").map(String.init)
        func isVersion(_ text: String) -> Bool {
            let numbers = text.split(separator: ".")
            return numbers.count == 3 && numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
        for index in parts.indices.dropLast() where isVersion(parts[index]) {
            let before = parts[..<index]
            if before.suffix(3) == ["vendor", "bundle", "ruby"] || before.suffix(2) == ["ruby", "gems"] {
                return (parts[...index].joined(separator: "/") + "/", parts[index])
            }
            if index >= 2, parts[index - 2] == "extensions" {
                return (parts[...index].joined(separator: "/") + "/", parts[index])
            }
        }
        return nil
    }
}
