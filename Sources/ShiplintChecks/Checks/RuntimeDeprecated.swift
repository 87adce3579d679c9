import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let runtimeDeprecated = Check(
        id: "runtime-deprecated",
        defaultSeverity: .warning,
        summary: "The function's runtime is past its AWS Lambda deprecation date",
        explanation: """
            AWS deprecates each managed runtime when its language version reaches end of life (python3.9 on \
            2025-12-15, nodejs18.x on 2025-09-01, provided.al2 on 2026-07-31, python3.10 on 2026-10-31, the Amazon \
            Linux 2 runtimes python3.11, java8.al2, java11 and java17 on 2027-06-30). From that day the runtime gets \
            no security patches and \
            no technical support; some months later Lambda blocks creating functions on it, then updating them, so \
            a deployment that works today fails on the next `sam deploy` / `cdk deploy` with \
            `The runtime parameter of … is no longer supported`. The dates are in \
            `rules/lifecycle/runtime-deprecations.toml`, from the AWS Lambda Developer Guide's "Lambda runtimes" \
            table; the check compares them with today's date (UTC).

            Fix: move the function to a supported runtime of the same language (python3.13, nodejs22.x, \
            provided.al2023, java21), rebuild its code and layers for it (native wheels and addons are built for one \
            version), and run shiplint again against the new target.
            """,
        examples: [
            CheckExample(
                "python3.9 in December 2026",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.9", handler: "app.handler"),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]), layers: [], today: "2026-12-01"),
                target: "aws-lambda-python3.9-x86_64", fires: true, at: "", mentions: "python3.9 was deprecated on 2025-12-15"),
            CheckExample(
                "python3.11 the day before its deprecation (2027-06-30)",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.11", handler: "app.handler"),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]), layers: [], today: "2027-06-29"),
                target: "aws-lambda-python3.11-x86_64", fires: false),
            CheckExample(
                "python3.13 in December 2026",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.13", handler: "app.handler"),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]), layers: [], today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDescriptor { context in
            let descriptor = context.descriptor
            guard let runtime = descriptor.runtime, let today = context.today,
                  let date = RuntimeLifecycle.builtIn.deprecation[runtime], date <= today
            else { return [] }
            return [LocatedVerdict(path: "", verdict: Verdict(
                "\(runtime) was deprecated on \(date): no more security patches, and Lambda then blocks creating and updating functions on it",
                fix: "Move the function to a supported runtime (the newest of its language) and rebuild its code and layers for it.",
                fact: runtime))]
        })
}
