// The order journal: append-only, one checksummed text record per line, fsync'd
// before an order is sent, so a crashed run is replayed and never sends twice.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "order_engine/order.hpp"
#include "order_engine/risk.hpp"

namespace order_engine {

enum class RecordKind : std::uint8_t {
  Submit = 0,  // written and fsync'd before the order goes to the venue
  Reject = 1,  // refused by a risk check (never sent; may be retried later)
  Fill = 2,    // one execution
  Status = 3,  // the order's state after the venue answered, or after a cancel/expiry
};

[[nodiscard]] const char* record_kind_name(RecordKind kind);

/// One line of the journal. Every record carries every field; a kind uses these:
/// Submit: symbol, side, type, time_in_force, quantity, price (limit ticks, 0 for
/// market), reference. Reject: symbol, side, quantity, reason. Fill: symbol, side,
/// quantity, price. Status: status, quantity (filled so far), leaves (resting).
struct JournalRecord {
  std::uint64_t sequence = 0;    // 1, 2, 3, ... without gaps
  std::int64_t wall_time_ns = 0; // UTC, for audit only
  RecordKind kind = RecordKind::Submit;
  std::string client_order_id;
  std::string symbol;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce time_in_force = TimeInForce::Day;
  Quantity quantity = 0;
  Price price = 0;
  Price reference = 0;
  OrderStatus status = OrderStatus::Resting;
  Quantity leaves = 0;
  RejectReason reason = RejectReason::None;
};

/// A damaged record: where it is and what is wrong. The records before it are intact.
class JournalCorrupted : public std::runtime_error {
 public:
  JournalCorrupted(const std::string& path, std::size_t line, std::uint64_t offset, const std::string& problem);
  [[nodiscard]] std::size_t line() const { return line_; }
  [[nodiscard]] std::uint64_t offset() const { return offset_; }

 private:
  std::size_t line_;
  std::uint64_t offset_;
};

/// CRC-32 (IEEE 802.3, as zlib.crc32) of `bytes`.
[[nodiscard]] std::uint32_t crc32(std::string_view bytes);

/// Parses journal text; throws JournalCorrupted (naming `path`) at the first line that
/// is incomplete, fails its checksum, does not parse or breaks the sequence.
[[nodiscard]] std::vector<JournalRecord> parse_journal(std::string_view text, const std::string& path);

/// The text line of a record, checksum and newline included.
[[nodiscard]] std::string format_record(const JournalRecord& record);

/// The head file beside a journal (`<journal>.head`): how many records and bytes were
/// committed, rewritten after every commit. A journal shorter than its head was cut.
[[nodiscard]] std::string journal_head_path(const std::string& journal_path);

/// Every record of the journal at `path`, checked as an engine's open checks them
/// (records, then the head file: throws JournalCorrupted if it was cut or is missing
/// while its head is not). Takes no lock, so it works beside a running engine.
[[nodiscard]] std::vector<JournalRecord> read_journal(const std::string& path);

/// Repairs a journal damaged only past its last commit (a write torn by a crash: those
/// records never reached the venue): keeps a copy of the damaged file beside it and
/// cuts the journal back to what its head file vouches for; says what it did. Damage
/// within committed records, a cut journal or a missing head throw std::runtime_error:
/// then only a backup can restore it, since cutting committed records would forget
/// client order ids that were sent.
std::string repair_journal(const std::string& journal_path);

class OrderJournal {
 public:
  /// Opens or creates the journal and locks it against a second writer (another
  /// process running the engine); reads and verifies every record, and checks the
  /// journal against its head file (throws JournalCorrupted if it was cut).
  explicit OrderJournal(std::string path);
  ~OrderJournal();
  OrderJournal(const OrderJournal&) = delete;
  OrderJournal& operator=(const OrderJournal&) = delete;

  /// The records found at open, in order.
  [[nodiscard]] const std::vector<JournalRecord>& recovered() const { return recovered_; }
  [[nodiscard]] const std::string& path() const { return path_; }

  /// Numbers, stamps and buffers a record; nothing is durable before commit().
  void append(JournalRecord record);
  /// Writes the buffered records and fsyncs: after it returns they survive a crash.
  void commit();

 private:
  void write_head() const;

  std::string path_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;  // committed
  std::uint64_t next_sequence_ = 1;
  std::string pending_;
  std::vector<JournalRecord> recovered_;
};

}  // namespace order_engine
