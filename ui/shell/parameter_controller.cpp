#include "ui/shell/parameter_controller.hpp"

#include "core/config/schema.hpp"
#include "core/experiment/engine.hpp"

#include <QPointer>

namespace cbl::ui {

bool ParameterController::setConfig(const ExperimentConfig& running) {
    const bool relayout =
        !haveConfig_ || running.scheme.type != config_.scheme.type ||
        nlohmann::json(running.tile.device) != nlohmann::json(config_.tile.device);
    config_ = running;
    haveConfig_ = true;
    if (relayout || pendingPaths_.isEmpty()) {
        pending_ = config_;
        pendingPaths_.clear();
        Q_EMIT pendingChanged();
    }
    return relayout;
}

void ParameterController::edit(const QString& path, const nlohmann::json& value) {
    const std::string p = path.toStdString();
    const FieldSpec* f = find_field(p, config_.tile.device.family());
    if (f && f->live) {
        if (!engine_) return;
        // The verdict comes back on the engine thread; it is handed to the GUI thread.
        QPointer<ParameterController> self(this);
        engine_->set_parameter(p, value, [self, path](const ParameterVerdict& v) {
            const QString error = v.accepted ? QString() : QString::fromStdString(v.message);
            QMetaObject::invokeMethod(
                self.data(),
                [self, path, error] {
                    if (self) Q_EMIT self->verdict(path, error);
                },
                Qt::QueuedConnection);
        });
        return;
    }
    try {
        nlohmann::json next = pending_;
        set_at_path(next, p, value, p);
        (void)next.get<ExperimentConfig>(); // reads and checks every field
        pending_ = std::move(next);
        if (!pendingPaths_.contains(path)) pendingPaths_.append(path);
        Q_EMIT verdict(path, {});
        Q_EMIT pendingChanged();
        if (path.startsWith("device.")) Q_EMIT deviceEdited(pending_["device"]);
    } catch (const std::exception& e) {
        Q_EMIT verdict(path, QString::fromUtf8(e.what()));
    }
}

void ParameterController::applyPending() {
    try {
        Q_EMIT applyStructural(pending_.get<ExperimentConfig>());
    } catch (const std::exception& e) {
        Q_EMIT verdict({}, QString::fromUtf8(e.what()));
    }
}

void ParameterController::discardPending() {
    pending_ = config_;
    pendingPaths_.clear();
    Q_EMIT pendingChanged();
    Q_EMIT deviceEdited(config_.tile.device);
}

} // namespace cbl::ui
