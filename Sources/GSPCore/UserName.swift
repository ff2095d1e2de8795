/// The rule for user names, shared by replicas (`gsp init`, deal owners) and the server
/// (`gsp-server user add`): deals' `owner` field holds them, so "Ana Lima" must work.
public enum UserName {
    public static let rule = "1-64 ASCII letters, digits, single inner spaces, '.', '_', '-' or '@'"

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@ ")

    /// The name as one word of a command to paste into a shell: double-quoted when it has a
    /// space ("Agent 01"); the rule allows no other character a shell treats specially.
    public static func commandWord(_ name: String) -> String {
        name.contains(" ") ? "\"\(name)\"" : name
    }

    /// Throws naming the rule when `name` breaks it.
    public static func validate(_ name: String) throws(DomainError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }),
              name.first != " ", name.last != " ", !name.contains("  ") else {
            throw DomainError("invalid user name '\(name)': use \(rule)")
        }
    }
}
