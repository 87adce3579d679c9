import ShiplintTargets

/// A `.shiplint.toml` is read like a target rule file: into plain values, every key then validated with its path.
typealias ConfigValue = RuleValue
