/// `schemas/import-formats.md`: the columns of every import format, rendered from the same
/// definitions that convert the files, so the two cannot drift apart.
public enum ImportFormatDocument {
    public static let fileName = "import-formats.md"

    public static var markdown: String {
        var text = """
            # Import formats

            `healthledger import FORMAT --seller S FILE…` turns these files into contract events. Columns
            are found by their header name, compared without case and with spaces and underscores read as
            hyphens (`Order ID` is `order-id`); their order does not matter and other columns are ignored.
            A required column missing from the header stops the import of every file named, with nothing
            written; a row that cannot be converted is reported as `FILE:LINE: column: reason`, and the
            other rows are converted.

            Times: RFC 3339 with an offset (also without seconds, or with a space for the `T`); a local
            date and time without an offset is in `--time-zone` (default: the seller's, else UTC); a date
            alone is the start of that day there. Dates with slashes or dots follow `--marketplace`
            (default: the seller's, else US): US `month/day/year`, JP `year/month/day`, DE and the other
            listed Amazon marketplaces `day/month/year` or `day.month.year`, with two- or four-digit years.

            Each event id is `FORMAT:SELLER:TYPE:KEY`, with the row's own key (order, shipment, claim,
            thread and message, return…): a row imported again is a duplicate, a changed row is a
            conflict that ingest reports, never a second event.

            """
        for format in ImportFormat.all {
            let separator = switch format.dialect {
            case .tabSeparated: "tab-separated, not quoted"
            case .commaSeparated: "comma-separated, quoted as RFC 4180"
            }
            text += "\n## `\(format.name)`\n\n\(format.summary) \(separator.prefix(1).uppercased() + separator.dropFirst()).\n"
            if format.readsTranslatedHeaderByPosition {
                text += "A header in another language is read by position, in the order below.\n"
            }
            text += "\n| column | required | meaning |\n|---|---|---|\n"
            for column in format.columns {
                text += "| `\(column.name)` | \(column.isRequired ? "yes" : "no") | \(column.meaning) |\n"
            }
        }
        return text
    }
}
