#include "ui/shell/characterisation_worker.hpp"

#include "core/device/device_params.hpp"

#include <QMetaObject>
#include <QPointer>

namespace cbl::ui {

std::optional<DeviceParams> device_params_of(const nlohmann::json& device) {
    try {
        DeviceParams d;
        if (device.is_object() && !device.empty()) from_json(device, d);
        return d;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

CharacterisationWorker::CharacterisationWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const cbl::CharacterisationResult>>();
}

CharacterisationWorker::~CharacterisationWorker() {
    *alive_ = false;
    if (thread_.joinable()) thread_.join();
}

void CharacterisationWorker::request(const DeviceParams& p, const CharacterisationOptions& o) {
    if (busy_) {
        std::lock_guard lock(mutex_);
        pending_ = std::make_pair(p, o);
        return;
    }
    start(p, o);
}

void CharacterisationWorker::start(const DeviceParams& p, const CharacterisationOptions& o) {
    if (thread_.joinable()) thread_.join();
    busy_ = true;
    QPointer<CharacterisationWorker> self(this);
    auto alive = alive_;
    thread_ = std::thread([self, alive, p, o] {
        std::shared_ptr<const CharacterisationResult> result;
        QString error;
        try {
            p.validate();
            o.validate();
            result = std::make_shared<const CharacterisationResult>(characterise_device(p, o));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        if (!*alive) return;
        // The object outlives the thread (the destructor joins), so queuing to it is safe.
        QMetaObject::invokeMethod(
            self.data(),
            [self, result, error] {
                if (!self) return;
                if (result)
                    Q_EMIT self->finished(result);
                else
                    Q_EMIT self->failed(error);
                self->done();
            },
            Qt::QueuedConnection);
    });
}

void CharacterisationWorker::done() {
    busy_ = false;
    std::optional<std::pair<DeviceParams, CharacterisationOptions>> next;
    {
        std::lock_guard lock(mutex_);
        next.swap(pending_);
    }
    if (next) start(next->first, next->second);
}

} // namespace cbl::ui
