// The order engine as the Python module `order_engine`. C++ exceptions become
// Python exceptions (ValueError for bad input, OSError for the journal file,
// order_engine.JournalCorruptedError for a damaged journal), so bad input from
// Python never crashes the process.
%module(docstring="The C++ order engine: pre-trade risk checks, a paper venue with price-time "
                  "matching and a write-ahead order journal.") order_engine

%{
#include <Python.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <system_error>

#include "order_engine/engine.hpp"
#ifdef ORDER_ENGINE_WITH_FIX
#include "order_engine/fix_venue.hpp"
#endif

static PyObject* JournalCorruptedError = nullptr;

static bool built_with_fix() {
#ifdef ORDER_ENGINE_WITH_FIX
  return true;
#else
  return false;
#endif
}

/// The engine on the FIX venue: logs on (up to logon_timeout seconds), then replays the journal.
static order_engine::Engine* open_fix_engine(const order_engine::EngineConfig& config, const std::string& settings_path,
                                             double logon_timeout, double answer_timeout) {
#ifdef ORDER_ENGINE_WITH_FIX
  const auto milliseconds = [](double seconds) { return std::chrono::milliseconds(std::llround(seconds * 1000)); };
  auto venue = std::make_unique<order_engine::FixVenue>(
      order_engine::FixVenueOptions{settings_path, milliseconds(logon_timeout), milliseconds(answer_timeout)});
  return new order_engine::Engine(config, std::move(venue));
#else
  static_cast<void>(config);
  static_cast<void>(settings_path);
  static_cast<void>(logon_timeout);
  static_cast<void>(answer_timeout);
  throw std::runtime_error("this order_engine module was built without QuickFIX, so it has no FIX venue: install "
                           "the Debian package libquickfix-dev (scripts/system-deps.sh test) and reinstall "
                           "momentum-pipeline");
#endif
}

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
%ignore order_engine::VenueOrderState;
%ignore order_engine::VenueInDoubt;
%ignore order_engine::VenueRejected;
%ignore order_engine::PaperVenue;
%ignore order_engine::OrderJournal;
%ignore order_engine::JournalCorrupted;
%ignore order_engine::crc32;
%ignore order_engine::parse_journal;
%ignore order_engine::format_record;
%ignore order_engine::Clock;
%ignore order_engine::Engine::Engine(const EngineConfig&, std::unique_ptr<Venue>);
// The batch path (journal-less, no client order ids) is for the native benchmark only:
// ExecuteTrades journals every order.
%ignore order_engine::Engine::submit_batch;
// The kill switch is bound: ExecuteTrades sets the trading state a person chose
// (python -m tasks.commands.trading), checked by the engine before every send.
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

%extend order_engine::Engine {
  /// Orders the journal shows as sent without a final state (a copy).
  std::vector<order_engine::OrderReport> in_doubt() const { return $self->in_doubt_orders(); }

  %pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
  %}
}

/// True when the module was built with QuickFIX, so open_fix_engine works.
bool built_with_fix();
/// A journalled engine on the FIX venue of the QuickFIX settings file `settings_path`
/// (config/fix/session.cfg.example): logs on, waiting up to `logon_timeout` seconds,
/// and replays the journal; each order waits up to `answer_timeout` seconds for the
/// venue. Call reconcile() before sending. RuntimeError without QuickFIX.
%newobject open_fix_engine;
order_engine::Engine* open_fix_engine(const order_engine::EngineConfig& config, const std::string& settings_path,
                                      double logon_timeout, double answer_timeout);

%pythoncode %{
JournalCorruptedError = _order_engine.JournalCorruptedError


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
