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
#include <optional>
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
                         " records before it are intact and nothing was sent. Never cut the journal by hand "
                         "(a cut journal forgets client order ids that were sent): `python -m "
                         "tasks.commands.journal repair` cuts only a write torn after the last commit; "
                         "otherwise reconcile with the venue and restore the journal from a backup."),
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
    r.reason = parse.named(13, "reason", reject_reason_name, 11);
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

namespace {

struct Head {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
};

std::optional<Head> read_head(const std::string& journal_path) {
  std::FILE* file = std::fopen(journal_head_path(journal_path).c_str(), "r");
  if (file == nullptr) {
    if (errno == ENOENT) return std::nullopt;
    throw os_error(journal_head_path(journal_path), "cannot read");
  }
  unsigned long long records = 0;
  unsigned long long bytes = 0;
  const int found = std::fscanf(file, "records %llu bytes %llu", &records, &bytes);
  std::fclose(file);
  if (found != 2) {
    throw std::runtime_error("order journal head " + journal_head_path(journal_path) +
                             " does not parse (expected 'records N bytes B')");
  }
  return Head{records, bytes};
}

std::string read_all(int fd, const std::string& path) {
  std::string text;
  char buffer[1 << 16];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (got < 0) {
      if (errno == EINTR) continue;
      throw os_error(path, "cannot read");
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

void fsync_directory_of(const std::string& path) {
  const std::string directory = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

/// Writes all of `data` to `fd` (retrying interrupted writes); false on an error (errno set).
bool write_all(int fd, std::string_view data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<std::size_t>(n);
  }
  return true;
}

/// Writes `text` to `path` whole: a temporary file, fsync, rename, fsync of the folder.
void write_file_durably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw os_error(tmp, "cannot create");
  if (!write_all(fd, text)) {
    const auto error = os_error(tmp, "write failed");
    ::close(fd);
    throw error;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    throw os_error(path, "cannot write");
  }
  fsync_directory_of(path);
}

int open_locked(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw os_error(path, "cannot open");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw std::runtime_error("order journal " + path +
                               " is locked by another process (is another ExecuteTrades running?)");
    }
    errno = error;
    throw os_error(path, "cannot lock");
  }
  return fd;
}

/// Throws JournalCorrupted unless the journal's `text` (its `records`) holds at least
/// what `head` says was committed.
void check_head(const std::string& path, const std::optional<Head>& head, const std::string& text,
                std::size_t records) {
  if (head && (head->records > records || head->bytes > text.size())) {
    throw JournalCorrupted(path, records + 1, text.size(),
                           "it ends after " + std::to_string(records) + " records (" + std::to_string(text.size()) +
                               " bytes), but " + std::to_string(head->records) + " records (" +
                               std::to_string(head->bytes) + " bytes) were committed, as " + journal_head_path(path) +
                               " records: records were cut from its end, or the journal was replaced");
  }
}

}  // namespace

std::string journal_head_path(const std::string& journal_path) { return journal_path + ".head"; }

std::vector<JournalRecord> read_journal(const std::string& path) {
  const auto head = read_head(path);  // before the records: a writer only moves it forward
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && head) check_head(path, head, std::string(), 0);
    throw os_error(path, "cannot open");
  }
  std::string text;
  try {
    text = read_all(fd, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  auto records = parse_journal(text, path);
  check_head(path, head, text, records.size());
  return records;
}

std::string repair_journal(const std::string& journal_path) {
  const int fd = open_locked(journal_path, O_RDWR);
  try {
    const std::string text = read_all(fd, journal_path);
    const auto head = read_head(journal_path);
    const std::string refuse = "cannot repair order journal " + journal_path + ": ";
    const std::string restore = "; reconcile with the venue and restore the journal from a backup";
    if (!head) throw std::runtime_error(refuse + "no head file " + journal_head_path(journal_path) +
                                        " tells what was committed" + restore);
    if (text.size() < head->bytes) {
      throw std::runtime_error(refuse + "it holds " + std::to_string(text.size()) + " bytes but " +
                               std::to_string(head->bytes) + " were committed: it was cut" + restore);
    }
    std::size_t committed = 0;
    try {
      committed = parse_journal(std::string_view(text).substr(0, head->bytes), journal_path).size();
    } catch (const JournalCorrupted& damage) {
      throw std::runtime_error(refuse + "the damage is within committed records (" + damage.what() + ")" + restore);
    }
    if (committed != head->records) {
      throw std::runtime_error(refuse + std::to_string(committed) + " records in the committed bytes, its head says " +
                               std::to_string(head->records) + restore);
    }
    if (text.size() == head->bytes) {
      ::close(fd);
      return "order journal " + journal_path + ": nothing to repair (" + std::to_string(committed) +
             " committed records, nothing after them)";
    }
    const std::string kept = journal_path + ".damaged-" +
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch()).count());
    write_file_durably(kept, text);
    if (::ftruncate(fd, static_cast<off_t>(head->bytes)) != 0 || ::fsync(fd) != 0) {
      throw os_error(journal_path, "cannot cut the uncommitted tail");
    }
    ::close(fd);
    return "order journal " + journal_path + ": cut " + std::to_string(text.size() - head->bytes) +
           " bytes written after the last commit (never sent), keeping its " + std::to_string(committed) +
           " committed records; the damaged file is kept as " + kept;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

void OrderJournal::write_head() const {
  write_file_durably(journal_head_path(path_), "records " + std::to_string(next_sequence_ - 1) + " bytes " +
                                                   std::to_string(bytes_) + "\n");
}

OrderJournal::OrderJournal(std::string path) : path_(std::move(path)) {
  struct stat existing {};
  const bool created = ::stat(path_.c_str(), &existing) != 0;
  fd_ = open_locked(path_, O_RDWR | O_CREAT | O_APPEND);
  try {
    const std::string text = read_all(fd_, path_);
    recovered_ = parse_journal(text, path_);
    next_sequence_ = recovered_.size() + 1;
    bytes_ = text.size();
    const auto head = read_head(path_);
    check_head(path_, head, text, recovered_.size());
    if (created) fsync_directory_of(path_);  // the new file's directory entry must be durable too
    if (!head || head->records != recovered_.size() || head->bytes != bytes_) write_head();
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
  if (!write_all(fd_, pending_)) {
    // A partial record may be on disk: stop writing so it stays the last line, where
    // the next open reports it (and repair cuts it: it is past the head).
    const auto error = os_error(path_, "write failed");
    ::close(fd_);
    fd_ = -1;
    throw error;
  }
  if (::fsync(fd_) != 0) {
    const auto error = os_error(path_, "fsync failed");
    ::close(fd_);
    fd_ = -1;
    throw error;
  }
  bytes_ += pending_.size();
  pending_.clear();
  write_head();  // after the records are durable: a head never vouches for more than is there
}

}  // namespace order_engine
