public enum GooseyVersion { public static let current = "0.1.0" }
