// The order engine as the Python module `order_engine`. C++ exceptions become
// Python exceptions (ValueError for bad input, OSError for the journal file,
// order_engine.JournalCorruptedError for a damaged journal), so bad input from
// Python never crashes the process.
%module(docstring="The C++ order engine: pre-trade risk checks, a paper venue with price-time "
                  "matching and a write-ahead order journal.") order_engine

%{
#include <Python.h>

#include <fstream>
#include <iterator>
#include <system_error>

#include "order_engine/engine.hpp"

static PyObject* JournalCorruptedError = nullptr;

/// Raises JournalCorruptedError with the damaged line and byte offset as attributes.
static void raise_journal_corrupted(const order_engine::JournalCorrupted& error) {
  PyObject* instance = PyObject_CallFunction(JournalCorruptedError, "s", error.what());
  if (instance == nullptr) return;
  PyObject* line = PyLong_FromSize_t(error.line());
  PyObject* offset = PyLong_FromUnsignedLongLong(error.offset());
  if (line != nullptr && offset != nullptr) {
    PyObject_SetAttrString(instance, "line", line);
    PyObject_SetAttrString(instance, "offset", offset);
  }
  Py_XDECREF(line);
  Py_XDECREF(offset);
  PyErr_SetObject(JournalCorruptedError, instance);
  Py_DECREF(instance);
}

/// A 1-d, C-contiguous buffer (a numpy array, array.array, bytes) of one element
/// type, held for the duration of a call.
class ArrayArgument {
 public:
  /// kind: 'i' signed integer, 'u' unsigned integer, 'f' floating point.
  ArrayArgument(PyObject* object, const char* name, char kind, Py_ssize_t itemsize, bool writable) {
    const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, &view_, flags) != 0) {
      PyErr_Clear();
      throw std::invalid_argument(std::string(name) + ": expected a contiguous " + (writable ? "writable " : "") +
                                  "array (numpy array or buffer), got " + Py_TYPE(object)->tp_name);
    }
    held_ = true;
    const std::string format = view_.format != nullptr ? view_.format : "B";
    const std::string code = format.find_first_of("@=<") == 0 ? format.substr(1) : format;
    const std::string codes = kind == 'i' ? "bhilq" : kind == 'u' ? "BHILQ" : "d";
    if (view_.ndim != 1 || view_.itemsize != itemsize || code.size() != 1 ||
        codes.find(code[0]) == std::string::npos) {
      throw std::invalid_argument(std::string(name) + ": expected a 1-d array of " +
                                  (kind == 'f' ? "float" : kind == 'u' ? "uint" : "int") +
                                  std::to_string(8 * itemsize) + ", got format '" + format + "' with " +
                                  std::to_string(view_.ndim) + " dimension(s)");
    }
  }
  ~ArrayArgument() {
    if (held_) PyBuffer_Release(&view_);
  }
  ArrayArgument(const ArrayArgument&) = delete;
  ArrayArgument& operator=(const ArrayArgument&) = delete;

  template <class T>
  std::span<T> span() const {
    return std::span<T>(static_cast<T*>(view_.buf), static_cast<std::size_t>(view_.shape[0]));
  }

 private:
  Py_buffer view_{};
  bool held_ = false;
};
%}

%init %{
  JournalCorruptedError = PyErr_NewException("order_engine.JournalCorruptedError", PyExc_RuntimeError, nullptr);
  Py_INCREF(JournalCorruptedError);
  PyModule_AddObject(m, "JournalCorruptedError", JournalCorruptedError);
%}

%exception {
  try {
    $action
  } catch (const order_engine::JournalCorrupted& error) {
    raise_journal_corrupted(error);
    SWIG_fail;
  } catch (const std::invalid_argument& error) {
    SWIG_exception_fail(SWIG_ValueError, error.what());
  } catch (const std::out_of_range& error) {
    SWIG_exception_fail(SWIG_ValueError, error.what());
  } catch (const std::system_error& error) {
    PyErr_SetString(PyExc_OSError, error.what());
    SWIG_fail;
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
    SWIG_fail;
  } catch (const std::exception& error) {
    SWIG_exception_fail(SWIG_RuntimeError, error.what());
  } catch (...) {
    SWIG_exception_fail(SWIG_RuntimeError, "unknown C++ exception in the order engine");
  }
}

%include <stdint.i>
%include <std_string.i>
%include <std_vector.i>
%include <std_map.i>
%include <exception.i>

// Internals that Python does not need: the check classes, the venue interface and
// the journal writer stay C++ (the engine drives them).
%ignore order_engine::price_to_ticks;
%ignore order_engine::try_price_to_ticks;
%ignore order_engine::check_quantity;
%ignore order_engine::check_identifier;
%ignore order_engine::check_enums;
%ignore order_engine::side_sign;
%ignore order_engine::ticks_to_dollars;
%ignore order_engine::OrderRequest;
%ignore order_engine::RiskContext;
%ignore order_engine::RiskVerdict;
%ignore order_engine::RiskCheck;
%ignore order_engine::MaxOrderQuantity;
%ignore order_engine::MaxOrderNotional;
%ignore order_engine::MaxPosition;
%ignore order_engine::MaxGrossExposure;
%ignore order_engine::PriceCollar;
%ignore order_engine::OrderRateThrottle;
%ignore order_engine::KillSwitch;
%ignore order_engine::PreTradeRisk;
%ignore order_engine::describe;
%ignore order_engine::worst_case_shares;
%ignore order_engine::VenueOrder;
%ignore order_engine::VenueFill;
%ignore order_engine::Venue;
%ignore order_engine::PaperVenue;
%ignore order_engine::OrderJournal;
%ignore order_engine::JournalCorrupted;
%ignore order_engine::crc32;
%ignore order_engine::parse_journal;
%ignore order_engine::format_record;
%ignore order_engine::Clock;
%ignore order_engine::Engine::Engine(const EngineConfig&, std::unique_ptr<Venue>);
%ignore order_engine::Engine::submit_batch;
%ignore order_engine::Engine::in_doubt_orders;

%include "order_engine/clock.hpp"
%include "order_engine/order.hpp"
%include "order_engine/risk.hpp"
%include "order_engine/venue.hpp"
%include "order_engine/paper_venue.hpp"
%include "order_engine/journal.hpp"
%include "order_engine/engine.hpp"

%template(FillVector) std::vector<order_engine::Fill>;
%template(OrderReportVector) std::vector<order_engine::OrderReport>;
%template(JournalRecordVector) std::vector<order_engine::JournalRecord>;
%template(PositionMap) std::map<std::string, int64_t>;

%inline %{
namespace order_engine {
/// Every record of a journal file, checked (raises JournalCorruptedError). Reading
/// takes no lock, so it works beside a running engine.
std::vector<JournalRecord> read_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "order journal " + path + ": cannot open");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse_journal(text, path);
}
}  // namespace order_engine
%}

%extend order_engine::Engine {
  /// Orders the journal shows as sent without a final state (a copy).
  std::vector<order_engine::OrderReport> in_doubt() const { return $self->in_doubt_orders(); }

  void _submit_batch_into(PyObject* symbols, PyObject* sides, PyObject* types, PyObject* times_in_force,
                          PyObject* quantities, PyObject* limit_prices, PyObject* codes, PyObject* filled) {
    const ArrayArgument symbol_array(symbols, "symbols", 'i', 4, false);
    const ArrayArgument side_array(sides, "sides", 'u', 1, false);
    const ArrayArgument type_array(types, "types", 'u', 1, false);
    const ArrayArgument tif_array(times_in_force, "times_in_force", 'u', 1, false);
    const ArrayArgument quantity_array(quantities, "quantities", 'i', 8, false);
    const ArrayArgument price_array(limit_prices, "limit_prices", 'f', 8, false);
    const ArrayArgument code_array(codes, "codes", 'u', 1, true);
    const ArrayArgument filled_array(filled, "filled", 'i', 8, true);
    $self->submit_batch(symbol_array.span<const std::int32_t>(), side_array.span<const std::uint8_t>(),
                        type_array.span<const std::uint8_t>(), tif_array.span<const std::uint8_t>(),
                        quantity_array.span<const std::int64_t>(), price_array.span<const double>(),
                        code_array.span<std::uint8_t>(), filled_array.span<std::int64_t>());
  }

  %pythoncode %{
    def submit_batch(self, symbols, sides, types, times_in_force, quantities, limit_prices):
        """Many orders in one call (journal-less engines only), as numpy arrays:
        symbols int32 (from symbol_id), sides/types/times_in_force uint8 (the enum
        values), quantities int64 (shares), limit_prices float64 (dollars; ignored for
        market orders). Returns (codes uint8: RejectReason per row, 0 = accepted,
        REJECT_INVALID_ORDER for a malformed row; filled int64: shares filled)."""
        import numpy as np
        arrays = [np.ascontiguousarray(symbols, dtype=np.int32), np.ascontiguousarray(sides, dtype=np.uint8),
                  np.ascontiguousarray(types, dtype=np.uint8), np.ascontiguousarray(times_in_force, dtype=np.uint8),
                  np.ascontiguousarray(quantities, dtype=np.int64),
                  np.ascontiguousarray(limit_prices, dtype=np.float64)]
        codes = np.empty(len(arrays[0]), dtype=np.uint8)
        filled = np.empty(len(arrays[0]), dtype=np.int64)
        self._submit_batch_into(*arrays, codes, filled)
        return codes, filled

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
  %}
}

%pythoncode %{
JournalCorruptedError = _order_engine.JournalCorruptedError
REJECT_INVALID_ORDER = RejectReason_InvalidOrder


def new_order(client_order_id, symbol, side, quantity, limit_price=None, time_in_force=TimeInForce_Day):
    """A NewOrder: a limit order at ``limit_price`` dollars, or a market order without one."""
    order = NewOrder()
    order.client_order_id = client_order_id
    order.symbol = symbol
    order.side = side
    order.quantity = quantity
    order.time_in_force = time_in_force
    if limit_price is None:
        order.type = OrderType_Market
    else:
        order.type = OrderType_Limit
        order.limit_price = limit_price
    return order
%}
