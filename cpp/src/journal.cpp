#include "order_engine/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <system_error>
#include <utility>

namespace order_engine {
namespace {

constexpr std::size_t kFields = 15;  // 14 values and the checksum

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

constexpr auto kCrcTable = make_crc_table();

std::system_error os_error(const std::string& path, const char* what) {
  return std::system_error(errno, std::generic_category(), "order journal " + path + ": " + what);
}

std::string format_price(Price ticks) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%04lld", static_cast<long long>(ticks / kTicksPerDollar),
                static_cast<long long>(ticks % kTicksPerDollar));
  return text;
}

/// Splits a line at tabs; the views point into `line`.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t tab = line.find('\t'); tab != std::string_view::npos; tab = line.find('\t', start)) {
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

/// Parses one record's fields; returns an empty string, or what is wrong.
class FieldParser {
 public:
  explicit FieldParser(const std::vector<std::string_view>& fields) : fields_(fields) {}

  template <class Integer>
  Integer integer(std::size_t index, const char* name) {
    Integer value{};
    const std::string_view text = fields_[index];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) fail(name, text);
    return value;
  }

  Price price(std::size_t index, const char* name) {
    const std::string_view text = fields_[index];
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos || text.size() - dot != 5) fail(name, text);
    Price whole = 0;
    Price fraction = 0;
    const char* begin = text.data();
    const auto [whole_end, whole_error] = std::from_chars(begin, begin + dot, whole);
    const auto [fraction_end, fraction_error] = std::from_chars(begin + dot + 1, begin + text.size(), fraction);
    if (whole_error != std::errc() || whole_end != begin + dot || fraction_error != std::errc() ||
        fraction_end != begin + text.size() || whole < 0 || fraction < 0) {
      fail(name, text);
    }
    return whole * kTicksPerDollar + fraction;
  }

  template <class Enum>
  Enum named(std::size_t index, const char* name, const char* (*name_of)(Enum), unsigned count) {
    for (unsigned value = 0; value < count; ++value) {
      if (fields_[index] == name_of(static_cast<Enum>(value))) return static_cast<Enum>(value);
    }
    fail(name, fields_[index]);
    return Enum{};
  }

  std::string identifier(std::size_t index, const char* name) {
    try {
      check_identifier(fields_[index], name);
    } catch (const std::invalid_argument&) {
      fail(name, fields_[index]);
    }
    return std::string(fields_[index]);
  }

  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  void fail(const char* name, std::string_view text) {
    if (problem_.empty()) problem_ = std::string("field ") + name + " does not parse: '" + std::string(text) + "'";
  }

  const std::vector<std::string_view>& fields_;
  std::string problem_;
};

}  // namespace

const char* record_kind_name(RecordKind kind) {
  switch (kind) {
    case RecordKind::Submit: return "SUBMIT";
    case RecordKind::Reject: return "REJECT";
    case RecordKind::Fill: return "FILL";
    case RecordKind::Status: return "STATUS";
  }
  return "UNKNOWN";
}

JournalCorrupted::JournalCorrupted(const std::string& path, std::size_t line, std::uint64_t offset,
                                   const std::string& problem)
    : std::runtime_error("order journal " + path + " is damaged at line " + std::to_string(line) +
                         " (byte offset " + std::to_string(offset) + "): " + problem + ". The " +
                         std::to_string(line - 1) +
                         " records before it are intact and nothing was sent. Reconcile with the venue, "
                         "then restore the journal from a backup or cut the damaged tail with `truncate -s " +
                         std::to_string(offset) + " " + path + "`."),
      line_(line),
      offset_(offset) {}

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const char byte : bytes) crc = kCrcTable[(crc ^ static_cast<unsigned char>(byte)) & 0xFFU] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFU;
}

std::string format_record(const JournalRecord& r) {
  std::string line;
  line.reserve(160);
  for (const std::string& field :
       {std::to_string(r.sequence), std::to_string(r.wall_time_ns), std::string(record_kind_name(r.kind)),
        r.client_order_id, r.symbol, std::string(side_name(r.side)), std::string(order_type_name(r.type)),
        std::string(time_in_force_name(r.time_in_force)), std::to_string(r.quantity), format_price(r.price),
        format_price(r.reference), std::string(order_status_name(r.status)), std::to_string(r.leaves),
        std::string(reject_reason_name(r.reason))}) {
    line += field;
    line += '\t';
  }
  char checksum[9];
  std::snprintf(checksum, sizeof checksum, "%08x", crc32(std::string_view(line).substr(0, line.size() - 1)));
  line += checksum;
  line += '\n';
  return line;
}

std::vector<JournalRecord> parse_journal(std::string_view text, const std::string& path) {
  std::vector<JournalRecord> records;
  std::size_t offset = 0;
  for (std::size_t line_number = 1; offset < text.size(); ++line_number) {
    const std::size_t end = text.find('\n', offset);
    if (end == std::string_view::npos) {
      throw JournalCorrupted(path, line_number, offset, "the last record is incomplete (a torn write)");
    }
    const std::string_view line = text.substr(offset, end - offset);
    const std::size_t last_tab = line.rfind('\t');
    char expected[9];
    std::snprintf(expected, sizeof expected, "%08x",
                  last_tab == std::string_view::npos ? 0U : crc32(line.substr(0, last_tab)));
    if (last_tab == std::string_view::npos || line.substr(last_tab + 1) != expected) {
      throw JournalCorrupted(path, line_number, offset, "checksum mismatch (expected " + std::string(expected) + ")");
    }
    const auto fields = split_fields(line);
    if (fields.size() != kFields) {
      throw JournalCorrupted(path, line_number, offset,
                             std::to_string(fields.size()) + " fields, expected " + std::to_string(kFields));
    }
    FieldParser parse(fields);
    JournalRecord r;
    r.sequence = parse.integer<std::uint64_t>(0, "sequence");
    r.wall_time_ns = parse.integer<std::int64_t>(1, "wall_time_ns");
    r.kind = parse.named(2, "kind", record_kind_name, 4);
    r.client_order_id = parse.identifier(3, "client_order_id");
    r.symbol = parse.identifier(4, "symbol");
    r.side = parse.named(5, "side", side_name, 2);
    r.type = parse.named(6, "type", order_type_name, 2);
    r.time_in_force = parse.named(7, "time_in_force", time_in_force_name, 2);
    r.quantity = parse.integer<Quantity>(8, "quantity");
    r.price = parse.price(9, "price");
    r.reference = parse.price(10, "reference");
    r.status = parse.named(11, "status", order_status_name, 8);
    r.leaves = parse.integer<Quantity>(12, "leaves");
    r.reason = parse.named(13, "reason", reject_reason_name, 10);
    if (!parse.problem().empty()) throw JournalCorrupted(path, line_number, offset, parse.problem());
    if (r.sequence != records.size() + 1) {
      throw JournalCorrupted(path, line_number, offset,
                             "sequence " + std::to_string(r.sequence) + ", expected " +
                                 std::to_string(records.size() + 1) + " (a record is missing or repeated)");
    }
    records.push_back(std::move(r));
    offset = end + 1;
  }
  return records;
}

OrderJournal::OrderJournal(std::string path) : path_(std::move(path)) {
  struct stat existing {};
  const bool created = ::stat(path_.c_str(), &existing) != 0;
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw os_error(path_, "cannot open");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw std::runtime_error("order journal " + path_ +
                               " is locked by another process (is another ExecuteTrades running?)");
    }
    errno = error;
    throw os_error(path_, "cannot lock");
  }
  try {
    std::string text;
    char buffer[1 << 16];
    for (ssize_t got; (got = ::read(fd_, buffer, sizeof buffer)) != 0;) {
      if (got < 0) {
        if (errno == EINTR) continue;
        throw os_error(path_, "cannot read");
      }
      text.append(buffer, static_cast<std::size_t>(got));
    }
    recovered_ = parse_journal(text, path_);
    next_sequence_ = recovered_.size() + 1;
    if (created) {
      // The new file's directory entry must be durable too, not only its contents.
      const std::string directory = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/') + 1);
      const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
      }
    }
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

OrderJournal::~OrderJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void OrderJournal::append(JournalRecord record) {
  record.sequence = next_sequence_++;
  record.wall_time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  pending_ += format_record(record);
}

void OrderJournal::commit() {
  if (fd_ < 0) {
    throw std::logic_error("order journal " + path_ + " is closed after a failed write; reopen it to recover");
  }
  std::size_t written = 0;
  while (written < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + written, pending_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A partial record may be on disk: stop writing so it stays the last line,
      // where the next open reports it.
      const auto error = os_error(path_, "write failed");
      ::close(fd_);
      fd_ = -1;
      throw error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    const auto error = os_error(path_, "fsync failed");
    ::close(fd_);
    fd_ = -1;
    throw error;
  }
  pending_.clear();
}

}  // namespace order_engine
