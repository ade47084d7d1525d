#pragma once
// Runs the core's device characterisation (seed 002 Fig. 2) off the GUI thread. One std::thread per
// request (QtConcurrent must not run beside TBB, ARCHITECTURE.md "Threading"); requests arriving
// while one runs coalesce into the newest, and results come back by queued signal.
#include "core/device/characterisation.hpp"

#include <QObject>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace cbl::ui {

class CharacterisationWorker : public QObject {
    Q_OBJECT
  public:
    explicit CharacterisationWorker(QObject* parent = nullptr);
    ~CharacterisationWorker() override;
    void request(const DeviceParams& p, const CharacterisationOptions& o);
    bool busy() const { return busy_; }

  Q_SIGNALS:
    void finished(std::shared_ptr<const cbl::CharacterisationResult> result);
    void failed(const QString& message);

  private:
    void start(const DeviceParams& p, const CharacterisationOptions& o);
    void done();

    std::mutex mutex_;
    std::optional<std::pair<DeviceParams, CharacterisationOptions>> pending_;
    std::thread thread_;
    bool busy_ = false;
    std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

/// The device parameters of an experiment's `device` object, or nothing when it does not parse.
std::optional<DeviceParams> device_params_of(const nlohmann::json& device);

} // namespace cbl::ui
