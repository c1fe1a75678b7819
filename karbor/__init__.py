import warnings

# oslo.messaging imports oslo.service, which imports (but never
# monkey-patches with) eventlet; Karbor runs on threads and processes only.
warnings.filterwarnings('ignore', message='.*Eventlet is deprecated')
warnings.filterwarnings('ignore', module='oslo_service')
